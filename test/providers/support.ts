// Shared setup for the provider client tests: one sandbox per file, reset before each test, and
// what the file's closing secrets scan looks through (every response served, every error seen).
import { inspect } from 'node:util';
import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
import { Secret } from '../../src/crypto/secret.js';
import type { ProviderLogEntry } from '../../src/providers/core/provider-log.js';
import { ProviderError } from '../../src/providers/provider-error.js';
import { createTwilioClient, type TwilioClient } from '../../src/providers/twilio/index.js';
import type { SandboxSeed } from '../../src/sandbox/seed.js';
import {
  startTestSandbox,
  twilioAccounts,
  useTestSandbox,
  type TestSandbox,
} from '../support/sandbox.js';

export interface ProviderSandbox {
  readonly sandbox: TestSandbox;
  /** The sandbox base URL, for `sandboxUrl`. */
  readonly url: string;
  /** Every response served before the current test: URL, body and headers. */
  readonly served: string[];
  /** Every error `rejection` saw. */
  readonly errors: unknown[];
  /** The ProviderError `promise` rejects with (kept for the secrets scan). */
  rejection: (promise: Promise<unknown>) => Promise<ProviderError>;
  /** Adds a sandbox fault rule (POST /__sandbox/faults) and checks it was taken. */
  addFault: (rule: unknown) => Promise<void>;
  /** One text of everything a secret must never reach: responses, `logs`, errors. */
  seen: (logs: unknown[]) => string;
}

/** Call at the top of a test file: starts the sandbox with `seed` for the file. */
export function useProviderSandbox(seed: SandboxSeed): ProviderSandbox {
  const served: string[] = [];
  const errors: unknown[] = [];
  // Keep every response served so far for the secrets scan, before each reset to the seed.
  const file = useTestSandbox(seed, (context) => {
    for (const e of context.exchanges.entries) {
      served.push(`${e.url} ${e.responseBody ?? ''} ${JSON.stringify(e.responseHeaders)}`);
    }
  });

  return {
    get sandbox() {
      return file.sandbox;
    },
    get url() {
      return file.url;
    },
    served,
    errors,
    rejection: async (promise) => {
      const error = await promise.then(
        () => undefined,
        (e: unknown) => e,
      );
      errors.push(error);
      expect(error).toBeInstanceOf(ProviderError);
      return error as ProviderError;
    },
    addFault: async (rule) => {
      expect((await file.sandbox.admin('POST', 'faults', rule)).status).toBe(201);
    },
    seen: (logs) =>
      [
        ...served,
        JSON.stringify(logs),
        ...errors.map((e) => `${String(e)} ${JSON.stringify(e)} ${inspect(e, { depth: 5 })}`),
      ].join('\n'),
  };
}

export interface TwilioTestClient {
  readonly sb: TestSandbox;
  /** A client on the seed's main account (auth token), new for each test. */
  readonly client: TwilioClient;
  /** What that client logged in the current test. */
  readonly log: ProviderLogEntry[];
}

/** Call inside a describe: one sandbox for it, reset and a fresh Twilio client before each test. */
export function useTwilioTestClient(): TwilioTestClient {
  let sb: TestSandbox | undefined;
  let client: TwilioClient | undefined;
  let log: ProviderLogEntry[] = [];

  beforeAll(async () => {
    sb = await startTestSandbox();
  });
  beforeEach(async () => {
    const sandbox = ready(sb);
    await sandbox.admin('POST', 'reset');
    const entries: ProviderLogEntry[] = [];
    log = entries;
    const { main } = twilioAccounts(sandbox.seed);
    client = createTwilioClient(
      { accountSid: main.sid, authToken: new Secret(main.authToken) },
      { mode: 'sandbox', sandboxUrl: sandbox.url, timeoutMs: 2_000, log: (e) => entries.push(e) },
    );
  });
  afterAll(async () => {
    await sb?.close();
  });

  return {
    get sb() {
      return ready(sb);
    },
    get client() {
      return ready(client);
    },
    get log() {
      return log;
    },
  };
}

function ready<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('set up in beforeAll/beforeEach');
  return value;
}
