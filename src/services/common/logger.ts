// The structured logger: pino, with redaction by field name (at any depth), by the Secret wrapper
// type, and phone numbers masked to their first and last four digits wherever they appear in text
// (phone-mask.ts).
import pino, { type DestinationStream, type Logger } from 'pino';
import { isSecret } from '../../crypto/index.js';
import { maskPhones } from './phone-mask.js';

export type { Logger } from 'pino';
export { maskPhones } from './phone-mask.js';

const REDACTED = '[REDACTED]';

/** Field names whose values are never logged, compared case-insensitively. */
const SECRET_FIELDS = new Set(
  [
    'password',
    'authToken',
    'apiKey',
    'apiKeySecret',
    'apiToken',
    'token',
    'value',
    'secret',
    'authorization',
    'cookie',
    'set-cookie',
    'masterKey',
    'rootToken',
    'x-api-key',
  ].map((f) => f.toLowerCase()),
);

// An Exotel status callback's URL carries the random token made for that one call
// (services/webhooks/hook-urls.ts): the token is what authenticates the callback, so it never
// reaches a log line.
const EXOTEL_HOOK_TOKEN = /(\/hooks\/exotel\/[^/?#]+\/)[^/?#]+/g;

export function redactHookToken(url: string): string {
  return url.replace(EXOTEL_HOOK_TOKEN, `$1${REDACTED}`);
}

/** A copy of `value` with secret fields, Secret instances and phone numbers redacted. */
export function redactForLog(value: unknown, depth = 0): unknown {
  if (isSecret(value)) return REDACTED;
  if (typeof value === 'string') return maskPhones(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth > 8) return '[Truncated]';
  if (value instanceof Error) {
    return { type: value.name, message: maskPhones(value.message), code: errorCode(value) };
  }
  if (Array.isArray(value)) return value.map((v) => redactForLog(v, depth + 1));
  const proto: unknown = Object.getPrototypeOf(value);
  // Class instances (requests, replies) are left to their serializers below.
  if (proto !== Object.prototype && proto !== null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = SECRET_FIELDS.has(k.toLowerCase()) ? REDACTED : redactForLog(v, depth + 1);
  }
  return out;
}

function errorCode(err: Error): unknown {
  return 'code' in err ? (err as { code: unknown }).code : undefined;
}

export interface CreateLoggerInput {
  level: string;
  /** Where lines go (stdout by default); tests pass a stream to capture every line. */
  destination?: DestinationStream;
}

export function createLogger(input: CreateLoggerInput): Logger {
  return pino(
    {
      level: input.level,
      base: null,
      // Serializers run before `formatters.log`; errors become plain objects we can redact.
      serializers: {
        err: (e: unknown) => redactForLog(e),
        req: (r: { method?: string; url?: string }) => ({
          method: r.method,
          url: maskPhones(redactHookToken(r.url ?? '')),
        }),
        res: (r: { statusCode?: number }) => ({ statusCode: r.statusCode }),
        // A child logger's bindings skip `formatters.log` but not serializers: Fastify's request
        // id is a client's x-request-id when it sends one, and may be a national number.
        reqId: (id: unknown) => (typeof id === 'string' ? maskPhones(id) : id),
      },
      formatters: {
        log: (obj) => redactForLog(obj) as Record<string, unknown>,
      },
      hooks: {
        // The message string too: a phone number interpolated into a message is masked.
        logMethod(args, method) {
          const masked = args.map((a) => (typeof a === 'string' ? maskPhones(a) : a));
          method.apply(this, masked as Parameters<typeof method>);
        },
      },
    },
    input.destination ?? pino.destination(1),
  );
}
