// The structured logger: pino, with redaction by field name (at any depth), by the Secret wrapper
// type, and phone numbers masked to their last four digits wherever they appear in text.
import pino, { type DestinationStream, type Logger } from 'pino';
import { isSecret } from '../../crypto/index.js';

export type { Logger } from 'pino';

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

// E.164-looking numbers: '+', then 8 to 15 digits. Kept: the first digit and the last four.
const PHONE_PATTERN = /\+(\d)(\d{3,10})(\d{4})(?!\d)/g;

/** Masks every phone number in a text, e.g. `+14155554567` → `+1******4567`. */
export function maskPhones(text: string): string {
  return text.replace(
    PHONE_PATTERN,
    (_m, first: string, mid: string, last: string) => `+${first}${'*'.repeat(mid.length)}${last}`,
  );
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
          url: maskPhones(r.url ?? ''),
        }),
        res: (r: { statusCode?: number }) => ({ statusCode: r.statusCode }),
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
