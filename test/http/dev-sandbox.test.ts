// Where the server's provider clients point: `telvault dev` mounts a sandbox seeded from
// .telvault/sandbox-seed.json (0600, reused across runs, admin surface on) and verifies against
// it; TELVAULT_SANDBOX_URL points dev and serve at a separately started `telvault sandbox`;
// `serve` defaults to the live providers. On SQLite and PostgreSQL.
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { TelvaultServer } from '../../src/app/server.js';
import { startDev } from '../../src/cli/dev-command.js';
import { runSandbox, type RunningSandbox } from '../../src/cli/sandbox-command.js';
import { startServe } from '../../src/cli/serve-command.js';
import { parseSandboxSeed, type SandboxSeed } from '../../src/sandbox/seed.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { DIALECTS } from '../support/server.js';

function capture() {
  const out: string[] = [];
  return {
    io: { write: (s: string) => void out.push(s), writeError: (s: string) => void out.push(s) },
    out: () => out.join(''),
  };
}

const match = (re: RegExp, text: string): string => re.exec(text)?.[1] ?? '';

/** Stores every provider's seeded credentials for a new tenant and verifies each. */
async function storeAndVerify(
  url: string,
  root: string,
  seed: SandboxSeed,
  tenantId?: string,
): Promise<{ tenantId: string; results: unknown[] }> {
  const call = async (method: string, path: string, body?: unknown) => {
    const r = await fetch(`${url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${root}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: r.status, json: (await r.json()) as Record<string, unknown> };
  };
  let id = tenantId;
  if (id === undefined) {
    const made = await call('POST', '/v1/tenants', { name: 'dev' });
    id = String(made.json['id']);
    const twilio = seed.twilio?.accounts[0];
    const exotel = seed.exotel?.accounts[0];
    const bodies = {
      twilio: { accountSid: twilio?.sid, authToken: twilio?.authToken },
      retell: { apiKey: seed.retell?.apiKeys[0] },
      exotel: {
        sid: exotel?.sid,
        apiKey: exotel?.apiKey,
        apiToken: exotel?.apiToken,
        subdomain: exotel?.host,
      },
      sendgrid: { apiKey: seed.sendgrid?.apiKeys[0], fromEmail: 'noreply@example.com' },
    };
    for (const [provider, body] of Object.entries(bodies)) {
      expect((await call('PUT', `/v1/tenants/${id}/credentials/${provider}`, body)).status).toBe(
        200,
      );
    }
  }
  const results: unknown[] = [];
  for (const provider of ['twilio', 'retell', 'exotel', 'sendgrid']) {
    const r = await call('POST', `/v1/tenants/${id}/credentials/${provider}/verify`);
    expect(r.status).toBe(200);
    results.push(r.json);
  }
  return { tenantId: id, results };
}

const allOk = [
  { provider: 'twilio', ok: true },
  { provider: 'retell', ok: true },
  { provider: 'exotel', ok: true },
  { provider: 'sendgrid', ok: true, sender: 'verified' },
];

function secretsOf(seed: SandboxSeed): string[] {
  return [
    ...(seed.twilio?.accounts ?? []).flatMap((a) => [
      a.authToken,
      ...(a.apiKeys ?? []).map((k) => k.secret),
    ]),
    ...(seed.retell?.apiKeys ?? []),
    ...(seed.exotel?.accounts ?? []).flatMap((a) => [a.apiKey, a.apiToken]),
    ...(seed.sendgrid?.apiKeys ?? []),
  ];
}

describe.each(DIALECTS)('provider targets on %s', (dialect) => {
  const cleanup: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const f of cleanup.splice(0).reverse()) await f();
  });

  async function baseEnv(): Promise<Record<string, string>> {
    const dir = mkdtempSync(join(tmpdir(), 'tv-dev-sandbox-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const env: Record<string, string> = { TELVAULT_DATA_DIR: dir, TELVAULT_LOG_LEVEL: 'silent' };
    if (dialect === 'postgres') {
      const db: TestDatabase = await createTestDatabase('devsb');
      cleanup.push(async () => {
        await new Promise((r) => setTimeout(r, 200));
        await db.drop();
      });
      env['TELVAULT_DATABASE_URL'] = db.url;
    }
    return env;
  }

  const closing = (server: TelvaultServer) => cleanup.push(() => server.close());

  it('dev seeds its sandbox from a 0600 file, reuses it, prints its path, and verifies against it', async () => {
    const env = await baseEnv();
    const dir = env['TELVAULT_DATA_DIR'] ?? '';
    const seedFile = join(dir, 'sandbox-seed.json');
    const first = capture();
    const server = await startDev(env, first.io, { port: 0 });
    expect(statSync(seedFile).mode & 0o777).toBe(0o600);
    const text = readFileSync(seedFile, 'utf8');
    const seed = parseSandboxSeed(JSON.parse(text));
    expect(first.out()).toContain(`accounts   ${seedFile} (created)`);
    for (const secret of secretsOf(seed)) expect(first.out()).not.toContain(secret);
    const url = match(/API\s+(\S+)/, first.out());
    const sandboxUrl = match(/sandbox\s+(http:\/\/127\.0\.0\.1:\d+)/, first.out());
    const root = match(/root token (tvr_\S+)/, first.out());
    expect(server.services.providers.target).toEqual({ mode: 'sandbox', sandboxUrl });
    // The admin surface is on in dev, and the seeded accounts exist.
    const state = await fetch(`${sandboxUrl}/__sandbox/state`);
    expect(state.status).toBe(200);
    const { tenantId, results } = await storeAndVerify(url, root, seed);
    expect(results).toEqual(allOk);
    const counters = (await (await fetch(`${sandboxUrl}/__sandbox/counters`)).json()) as Record<
      string,
      number
    >;
    expect(Object.values(counters).reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(4);
    await server.close();

    // Second run: same seed, a new sandbox port, and the stored credentials still verify.
    const second = capture();
    const again = await startDev(env, second.io, { port: 0 });
    closing(again);
    expect(readFileSync(seedFile, 'utf8')).toBe(text);
    expect(second.out()).toContain(`accounts   ${seedFile}:`);
    expect(second.out()).not.toContain('(created)');
    const url2 = match(/API\s+(\S+)/, second.out());
    expect((await storeAndVerify(url2, root, seed, tenantId)).results).toEqual(allOk);
  });

  it('dev refuses a seed file that others can read', async () => {
    const env = await baseEnv();
    const first = capture();
    await (await startDev(env, first.io, { port: 0 })).close();
    chmodSync(join(env['TELVAULT_DATA_DIR'] ?? '', 'sandbox-seed.json'), 0o644);
    await expect(startDev(env, capture().io, { port: 0 })).rejects.toThrow(/chmod 600/);
  });

  it('TELVAULT_SANDBOX_URL points dev and serve at a separately started sandbox', async () => {
    const standalone: RunningSandbox = await runSandbox({ port: 0 }, capture().io);
    cleanup.push(() => standalone.close());
    const env: Record<string, string> = {
      ...(await baseEnv()),
      TELVAULT_SANDBOX_URL: standalone.url,
    };
    const dev = capture();
    const server = await startDev(env, dev.io, { port: 0 });
    closing(server);
    expect(dev.out()).toContain(`sandbox    ${standalone.url} (TELVAULT_SANDBOX_URL)`);
    expect(existsSync(join(env['TELVAULT_DATA_DIR'] ?? '', 'sandbox-seed.json'))).toBe(false);
    const root = match(/root token (tvr_\S+)/, dev.out());
    const { results } = await storeAndVerify(
      match(/API\s+(\S+)/, dev.out()),
      root,
      standalone.seed,
    );
    expect(results).toEqual(allOk);
    await server.close();
    cleanup.pop();

    // serve: live by default; TELVAULT_PROVIDERS=sandbox with the URL talks to the same sandbox.
    const serveEnv: Record<string, string> = {
      ...env,
      TELVAULT_MASTER_KEY: randomBytes(32).toString('base64'),
      TELVAULT_ROOT_TOKEN: `tvr_${randomBytes(32).toString('base64url')}`,
    };
    if (dialect === 'postgres') {
      // A fresh database: the dev run above wrote under its own master key.
      const db = await createTestDatabase('devsb');
      cleanup.push(async () => {
        await new Promise((r) => setTimeout(r, 200));
        await db.drop();
      });
      serveEnv['TELVAULT_DATABASE_URL'] = db.url;
    } else {
      const dir = mkdtempSync(join(tmpdir(), 'tv-serve-sandbox-'));
      cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
      serveEnv['TELVAULT_DATA_DIR'] = dir;
    }
    // (Without TELVAULT_PROVIDERS=sandbox the URL would be ignored, so serve refuses it.)
    await expect(startServe(serveEnv, capture().io, 0)).rejects.toMatchObject({
      code: 'ERR_CONFIG_MISSING',
      message: expect.stringContaining(
        'TELVAULT_SANDBOX_URL is set but TELVAULT_PROVIDERS is live',
      ) as unknown,
    });
    const { TELVAULT_SANDBOX_URL: _unset, ...liveEnv } = serveEnv;
    const live = await startServe(liveEnv, capture().io, 0);
    expect(live.services.providers.target).toEqual({ mode: 'live', sandboxUrl: undefined });
    await live.close();
    const out = capture();
    const serve = await startServe({ ...serveEnv, TELVAULT_PROVIDERS: 'sandbox' }, out.io, 0);
    closing(serve);
    expect(serve.services.providers.target).toEqual({
      mode: 'sandbox',
      sandboxUrl: standalone.url,
    });
    const before = (await (await fetch(`${standalone.url}/__sandbox/counters`)).json()) as Record<
      string,
      number
    >;
    const { results: served } = await storeAndVerify(
      match(/listening on (\S+)/, out.out()),
      serveEnv['TELVAULT_ROOT_TOKEN'] ?? '',
      standalone.seed,
    );
    expect(served).toEqual(allOk);
    const after = (await (await fetch(`${standalone.url}/__sandbox/counters`)).json()) as Record<
      string,
      number
    >;
    const sum = (c: Record<string, number>) => Object.values(c).reduce((a, b) => a + b, 0);
    // One read each; SendGrid reads its scopes, then finds the sender in its verified list.
    expect(sum(after) - sum(before)).toBe(5);
  });
});
