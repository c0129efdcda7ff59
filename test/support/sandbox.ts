// Boots a sandbox (admin surface on) on 127.0.0.1 with a random port, for tests.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { createSandboxApp } from '../../src/sandbox/sandbox-app.js';
import { resetSandboxContext, type SandboxContext } from '../../src/sandbox/sandbox-context.js';
import { generateSandboxSeed, type SandboxSeed } from '../../src/sandbox/seed.js';

export interface TestSandbox {
  /** Base URL, e.g. `http://127.0.0.1:53211`. */
  url: string;
  app: FastifyInstance;
  context: SandboxContext;
  seed: SandboxSeed;
  /** POST/GET/DELETE a JSON admin route (`/__sandbox/<path>`). */
  admin(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<AdminAnswer>;
  close(): Promise<void>;
}

export interface AdminAnswer {
  status: number;
  body: unknown;
}

export async function startTestSandbox(
  seed: SandboxSeed = generateSandboxSeed(),
): Promise<TestSandbox> {
  const { app, context } = createSandboxApp({ seed, admin: true });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (address === null || typeof address === 'string')
    throw new Error('sandbox has no TCP address');
  const url = `http://127.0.0.1:${address.port}`;
  return {
    url,
    app,
    context,
    seed,
    async admin(method, path, body) {
      const response = await fetch(`${url}/__sandbox/${path}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await response.text();
      return {
        status: response.status,
        body: text === '' ? undefined : (JSON.parse(text) as unknown),
      };
    },
    close: () => app.close(),
  };
}

export interface SandboxForFile {
  readonly sandbox: TestSandbox;
  /** Base URL, e.g. `http://127.0.0.1:53211`. */
  readonly url: string;
}

/**
 * Call at the top of a test file (or describe): one sandbox for it, started before its tests,
 * reset to the seed before each (`beforeReset` sees what the previous test left), closed after.
 */
export function useTestSandbox(
  seed: SandboxSeed,
  beforeReset?: (context: SandboxContext) => void,
): SandboxForFile {
  let sandbox: TestSandbox | undefined;
  const started = (): TestSandbox => {
    if (sandbox === undefined) throw new Error('the sandbox starts in beforeAll');
    return sandbox;
  };
  beforeAll(async () => {
    sandbox = await startTestSandbox(seed);
  });
  afterAll(async () => {
    await sandbox?.close();
  });
  beforeEach(() => {
    const { context } = started();
    beforeReset?.(context);
    resetSandboxContext(context);
  });
  return {
    get sandbox() {
      return started();
    },
    get url() {
      return started().url;
    },
  };
}

/** The first seeded Twilio account (main) and its subaccount, from a generated seed. */
export function twilioAccounts(seed: SandboxSeed): {
  main: { sid: string; authToken: string; keySid: string; keySecret: string };
  sub: { sid: string; authToken: string };
} {
  const [main, sub] = seed.twilio?.accounts ?? [];
  const key = main?.apiKeys?.[0];
  if (main === undefined || sub === undefined || key === undefined) {
    throw new Error('seed has no Twilio main account with an API key and a subaccount');
  }
  return {
    main: { sid: main.sid, authToken: main.authToken, keySid: key.sid, keySecret: key.secret },
    sub: { sid: sub.sid, authToken: sub.authToken },
  };
}
