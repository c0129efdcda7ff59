// Environment → typed configuration, parsed once at start-up. Secrets stay in their wrapper.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { Secret } from './crypto/index.js';
import { TelvaultError } from './crypto/errors.js';

export type ProvidersMode = 'live' | 'sandbox';

/** How long a client may take and how many connections it may hold (docs/operations.md). */
export interface ConnectionConfig {
  /** Concurrent connections; undefined: derived from the process's open-file limit at start. */
  max: number | undefined;
  /**
   * Time from connecting (or from a request's first byte) to the end of its headers: a socket
   * that sends nothing is closed after it.
   */
  headersTimeoutMs: number;
  /** Time to receive a whole request, body included (not the time to answer it). */
  requestTimeoutMs: number;
  /** How long a connection may sit idle between two requests. */
  keepAliveTimeoutMs: number;
}

/** Failed authentications a client address may make per window before it is answered 429. */
export interface AuthFailureConfig {
  limit: number;
  windowSeconds: number;
}

// Keep-alive above the 60 s idle timeout of common load balancers, so that a balancer never reuses
// a connection the node has just closed (Fastify's default for the same reason).
export const DEFAULT_CONNECTIONS: Readonly<ConnectionConfig> = Object.freeze({
  max: undefined,
  headersTimeoutMs: 5_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 72_000,
});

export const DEFAULT_AUTH_FAILURES: Readonly<AuthFailureConfig> = Object.freeze({
  limit: 30,
  windowSeconds: 60,
});

export interface TelvaultConfig {
  /** Master key bytes (base64 text as given); parsed and checked by the key service. */
  masterKey: Secret<string> | undefined;
  /** The previous master key, accepted during a master-key rotation. */
  masterKeyPrevious: Secret<string> | undefined;
  /** The next master key, accepted before a master-key rotation makes it current. */
  masterKeyNext?: Secret<string> | undefined;
  /** TELVAULT_MASTER_KEY_PKCS11: a PKCS#11 URI naming the master key in a token (instead of masterKey). */
  masterKeyPkcs11?: string | undefined;
  /** TELVAULT_MASTER_KEY_PREVIOUS_PKCS11: the previous master key, in a token. */
  masterKeyPreviousPkcs11?: string | undefined;
  /** TELVAULT_MASTER_KEY_NEXT_PKCS11: the next master key, in a token. */
  masterKeyNextPkcs11?: string | undefined;
  databaseUrl: string | undefined;
  dataDir: string;
  redisUrl: string | undefined;
  rootToken: Secret<string> | undefined;
  host: string;
  port: number;
  providers: ProvidersMode;
  sandboxUrl: string | undefined;
  /** TELVAULT_PUBLIC_URL: the origin providers post status callbacks to (none: no callbacks). */
  publicUrl?: string | undefined;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  allowEnvOverride: boolean;
  connections: ConnectionConfig;
  authFailures: AuthFailureConfig;
  /** Refuse to serve when any tenant's keys fail the start-up check (default: serve the rest). */
  strictKeyCheck?: boolean;
  /** The SIP trunk workflow (docs/provisioning.md). */
  trunks?: TrunkConfig;
  /** How long a request holding an Idempotency-Key keeps it without renewal (a dead one's frees after). */
  idempotencyLeaseSeconds?: number;
}

export interface TrunkConfig {
  /** How long a run's lease lasts without renewal (a crashed run's lease frees after this). */
  leaseSeconds: number;
  /** How long a request waits for a run in flight before 409 ERR_TRUNK_BUSY. */
  waitSeconds: number;
  /** Where the trunk's origination URL sends inbound calls. */
  originationUri: string;
}

export const DEFAULT_TRUNKS: Readonly<TrunkConfig> = Object.freeze({
  leaseSeconds: 60,
  waitSeconds: 30,
  originationUri: 'sip:sip.retellai.com',
});

const milliseconds = (fallback: number) =>
  z.coerce.number().int().min(100).max(3_600_000).default(fallback);

// Parsed in full (token, key, module, PIN file) when the key is opened: services/keys/pkcs11/.
const pkcs11Uri = z.string().trim().startsWith('pkcs11:', 'must be a pkcs11: URI').optional();

const envSchema = z.object({
  TELVAULT_MASTER_KEY: z.string().min(1).optional(),
  TELVAULT_MASTER_KEY_FILE: z.string().min(1).optional(),
  TELVAULT_MASTER_KEY_PREVIOUS: z.string().min(1).optional(),
  TELVAULT_MASTER_KEY_PREVIOUS_FILE: z.string().min(1).optional(),
  TELVAULT_MASTER_KEY_NEXT: z.string().min(1).optional(),
  TELVAULT_MASTER_KEY_NEXT_FILE: z.string().min(1).optional(),
  TELVAULT_MASTER_KEY_PKCS11: pkcs11Uri,
  TELVAULT_MASTER_KEY_PREVIOUS_PKCS11: pkcs11Uri,
  TELVAULT_MASTER_KEY_NEXT_PKCS11: pkcs11Uri,
  TELVAULT_DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional(),
  TELVAULT_DATA_DIR: z.string().min(1).default('./.telvault'),
  TELVAULT_REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// URL')
    .optional(),
  TELVAULT_ROOT_TOKEN: z.string().min(1).optional(),
  TELVAULT_HOST: z.string().min(1).default('127.0.0.1'),
  TELVAULT_PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  TELVAULT_PROVIDERS: z.enum(['live', 'sandbox']).optional(),
  TELVAULT_SANDBOX_URL: z.string().url().optional(),
  TELVAULT_PUBLIC_URL: z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
    .refine((u) => !/[?#]/.test(u), 'must have no query or fragment')
    .optional(),
  TELVAULT_LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
    .default('info'),
  TELVAULT_ALLOW_ENV_OVERRIDE: z.enum(['0', '1']).default('0'),
  TELVAULT_MAX_CONNECTIONS: z.coerce.number().int().min(1).max(10_000_000).optional(),
  TELVAULT_HEADERS_TIMEOUT_MS: milliseconds(DEFAULT_CONNECTIONS.headersTimeoutMs),
  TELVAULT_REQUEST_TIMEOUT_MS: milliseconds(DEFAULT_CONNECTIONS.requestTimeoutMs),
  TELVAULT_KEEP_ALIVE_TIMEOUT_MS: milliseconds(DEFAULT_CONNECTIONS.keepAliveTimeoutMs),
  TELVAULT_AUTH_FAILURE_LIMIT: z.coerce
    .number()
    .int()
    .min(1)
    .max(1_000_000)
    .default(DEFAULT_AUTH_FAILURES.limit),
  TELVAULT_AUTH_FAILURE_WINDOW_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .max(86_400)
    .default(DEFAULT_AUTH_FAILURES.windowSeconds),
  TELVAULT_STRICT_KEY_CHECK: z.enum(['0', '1']).default('0'),
  TELVAULT_TRUNK_LEASE_SECONDS: z.coerce
    .number()
    .int()
    .min(3)
    .max(3600)
    .default(DEFAULT_TRUNKS.leaseSeconds),
  TELVAULT_TRUNK_WAIT_SECONDS: z.coerce
    .number()
    .int()
    .min(0)
    .max(600)
    .default(DEFAULT_TRUNKS.waitSeconds),
  TELVAULT_IDEMPOTENCY_LEASE_SECONDS: z.coerce.number().int().min(3).max(3600).default(30),
  TELVAULT_RETELL_SIP_URI: z
    .string()
    .regex(/^sips?:[A-Za-z0-9.;=_@:+-]{1,250}$/, 'must be a sip: URI')
    .default(DEFAULT_TRUNKS.originationUri),
});

function readKey(
  inline: string | undefined,
  file: string | undefined,
  name: string,
): Secret<string> | undefined {
  if (inline !== undefined && file !== undefined) {
    throw new TelvaultError(
      'ERR_CONFIG_INVALID',
      `${name} and ${name}_FILE are both set: set only one`,
    );
  }
  if (file !== undefined) {
    try {
      return new Secret(readFileSync(file, 'utf8').trim());
    } catch {
      throw new TelvaultError('ERR_CONFIG_INVALID', `${name}_FILE could not be read`);
    }
  }
  return inline === undefined ? undefined : new Secret(inline.trim());
}

/**
 * Parses the environment. `defaults.providers` is the mode used when TELVAULT_PROVIDERS is unset
 * (`dev` runs the sandbox, `serve` talks to the live providers).
 */
export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  defaults: { providers: ProvidersMode } = { providers: 'live' },
): TelvaultConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.join('.') ?? 'environment';
    // Never echo the value: some of these variables hold secrets.
    throw new TelvaultError('ERR_CONFIG_INVALID', `${field}: ${issue?.message ?? 'invalid'}`);
  }
  const e = parsed.data;
  // Node measures the headers inside the request time; a longer headers timeout would never apply.
  if (e.TELVAULT_HEADERS_TIMEOUT_MS > e.TELVAULT_REQUEST_TIMEOUT_MS) {
    throw new TelvaultError(
      'ERR_CONFIG_INVALID',
      'TELVAULT_HEADERS_TIMEOUT_MS: must not exceed TELVAULT_REQUEST_TIMEOUT_MS',
    );
  }
  const slots = [
    [
      'TELVAULT_MASTER_KEY',
      e.TELVAULT_MASTER_KEY ?? e.TELVAULT_MASTER_KEY_FILE,
      e.TELVAULT_MASTER_KEY_PKCS11,
    ],
    [
      'TELVAULT_MASTER_KEY_PREVIOUS',
      e.TELVAULT_MASTER_KEY_PREVIOUS ?? e.TELVAULT_MASTER_KEY_PREVIOUS_FILE,
      e.TELVAULT_MASTER_KEY_PREVIOUS_PKCS11,
    ],
    [
      'TELVAULT_MASTER_KEY_NEXT',
      e.TELVAULT_MASTER_KEY_NEXT ?? e.TELVAULT_MASTER_KEY_NEXT_FILE,
      e.TELVAULT_MASTER_KEY_NEXT_PKCS11,
    ],
  ] as const;
  for (const [name, local, pkcs11] of slots) {
    if (local !== undefined && pkcs11 !== undefined) {
      throw new TelvaultError(
        'ERR_CONFIG_INVALID',
        `${name} (or ${name}_FILE) and ${name}_PKCS11 are both set: set only one`,
      );
    }
  }
  return {
    masterKey: readKey(e.TELVAULT_MASTER_KEY, e.TELVAULT_MASTER_KEY_FILE, 'TELVAULT_MASTER_KEY'),
    masterKeyPkcs11: e.TELVAULT_MASTER_KEY_PKCS11,
    masterKeyPreviousPkcs11: e.TELVAULT_MASTER_KEY_PREVIOUS_PKCS11,
    masterKeyNextPkcs11: e.TELVAULT_MASTER_KEY_NEXT_PKCS11,
    masterKeyPrevious: readKey(
      e.TELVAULT_MASTER_KEY_PREVIOUS,
      e.TELVAULT_MASTER_KEY_PREVIOUS_FILE,
      'TELVAULT_MASTER_KEY_PREVIOUS',
    ),
    masterKeyNext: readKey(
      e.TELVAULT_MASTER_KEY_NEXT,
      e.TELVAULT_MASTER_KEY_NEXT_FILE,
      'TELVAULT_MASTER_KEY_NEXT',
    ),
    databaseUrl: e.TELVAULT_DATABASE_URL,
    dataDir: resolve(e.TELVAULT_DATA_DIR),
    redisUrl: e.TELVAULT_REDIS_URL,
    rootToken: e.TELVAULT_ROOT_TOKEN === undefined ? undefined : new Secret(e.TELVAULT_ROOT_TOKEN),
    host: e.TELVAULT_HOST,
    port: e.TELVAULT_PORT,
    providers: e.TELVAULT_PROVIDERS ?? defaults.providers,
    sandboxUrl: e.TELVAULT_SANDBOX_URL,
    publicUrl: e.TELVAULT_PUBLIC_URL,
    logLevel: e.TELVAULT_LOG_LEVEL,
    allowEnvOverride: e.TELVAULT_ALLOW_ENV_OVERRIDE === '1',
    connections: {
      max: e.TELVAULT_MAX_CONNECTIONS,
      headersTimeoutMs: e.TELVAULT_HEADERS_TIMEOUT_MS,
      requestTimeoutMs: e.TELVAULT_REQUEST_TIMEOUT_MS,
      keepAliveTimeoutMs: e.TELVAULT_KEEP_ALIVE_TIMEOUT_MS,
    },
    authFailures: {
      limit: e.TELVAULT_AUTH_FAILURE_LIMIT,
      windowSeconds: e.TELVAULT_AUTH_FAILURE_WINDOW_SECONDS,
    },
    strictKeyCheck: e.TELVAULT_STRICT_KEY_CHECK === '1',
    idempotencyLeaseSeconds: e.TELVAULT_IDEMPOTENCY_LEASE_SECONDS,
    trunks: {
      leaseSeconds: e.TELVAULT_TRUNK_LEASE_SECONDS,
      waitSeconds: e.TELVAULT_TRUNK_WAIT_SECONDS,
      originationUri: e.TELVAULT_RETELL_SIP_URI,
    },
  };
}

/**
 * Where provider calls would go, checked before `serve` or `dev` starts: a sandbox URL that the
 * provider mode ignores, or (serve) a sandbox mode with nowhere to send, cannot mean what it says.
 * `dev` starts its own sandbox when TELVAULT_SANDBOX_URL is unset.
 */
export function providerTargetProblems(
  config: Pick<TelvaultConfig, 'providers' | 'sandboxUrl'>,
  command: 'serve' | 'dev',
): string[] {
  if (config.providers === 'live' && config.sandboxUrl !== undefined) {
    return [
      `TELVAULT_SANDBOX_URL is set but TELVAULT_PROVIDERS is live${command === 'serve' ? ' (the default for serve)' : ''}: ` +
        'set TELVAULT_PROVIDERS=sandbox to use that sandbox, or unset TELVAULT_SANDBOX_URL',
    ];
  }
  if (command === 'serve' && config.providers === 'sandbox' && config.sandboxUrl === undefined) {
    return [
      'TELVAULT_PROVIDERS=sandbox needs TELVAULT_SANDBOX_URL (the URL of a running `telvault sandbox`)',
    ];
  }
  return [];
}
