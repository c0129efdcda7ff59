// One tenant whose wrapped data key no longer unwraps: the node serves every other tenant, answers
// 503 ERR_TENANT_KEYS_UNAVAILABLE for that one, stays ready (degraded, naming no tenant) and logs
// the tenant; `keys status` and `tenant delete` repair it; TELVAULT_STRICT_KEY_CHECK=1 refuses.
// A key wrapped by a master key the node lacks is 503 ERR_MASTER_KEY_UNKNOWN naming the key id.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyMaterial, wrapKey } from '../../src/crypto/index.js';
import { openDatabase } from '../../src/store/database.js';
import { DIALECTS, startTestServer, type TestServer } from '../support/server.js';
import { randomMasterKey } from '../store/harness.js';
import { runCliWithEnv } from '../support/cli.js';

async function cli(s: TestServer, args: string[]): Promise<{ code: number; out: string }> {
  const r = await runCliWithEnv(args, {
    TELVAULT_DATA_DIR: s.dataDir,
    TELVAULT_DATABASE_URL: s.databaseUrl,
    TELVAULT_MASTER_KEY: s.masterKey.reveal(),
  });
  return { code: r.code, out: r.all };
}

/** Runs `fn` on the server's database through a handle of its own. */
async function onDatabase(
  s: TestServer,
  fn: (db: Awaited<ReturnType<typeof openDatabase>>['db']) => Promise<void>,
): Promise<void> {
  const opened = await openDatabase({ dataDir: s.dataDir, databaseUrl: s.databaseUrl });
  try {
    await fn(opened.db);
  } finally {
    await opened.close();
  }
}

/** Flips the last character of a wrapped key's payload: its tag no longer verifies. */
function tamper(wrapped: string): string {
  const last = wrapped.slice(-1);
  return `${wrapped.slice(0, -1)}${last === 'A' ? 'B' : 'A'}`;
}

/** Tampers the tenant's data key v1 in the database: from then on it does not unwrap. */
async function breakDataKey(s: TestServer, tenantId: string): Promise<void> {
  await onDatabase(s, async (db) => {
    const row = await db
      .selectFrom('tenant_keys')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('kind', '=', 'data')
      .executeTakeFirstOrThrow();
    await db
      .updateTable('tenant_keys')
      .set({ wrapped: tamper(row.wrapped) })
      .where('id', '=', row.id)
      .execute();
  });
}

describe.each(DIALECTS)('a tenant whose keys do not unwrap, on %s', (dialect) => {
  let first: TestServer;
  let s: TestServer;
  let healthy: string;
  let broken: string;
  const tokens = new Map<string, string>();
  const scopes = ['secrets:write', 'secrets:read', 'secrets:reveal'] as const;

  beforeAll(async () => {
    first = await startTestServer(dialect, { logLevel: 'warn' });
    healthy = await first.createTenant('healthy');
    broken = await first.createTenant('broken');
    for (const t of [healthy, broken]) {
      tokens.set(t, await first.mintToken(t, scopes));
      const r = await first.request('PUT', `/v1/tenants/${t}/secrets/api`, {
        token: tokens.get(t),
        body: { value: `value-of-${t}` },
      });
      expect(r.status).toBe(200);
    }
    await first.server.close();
    await breakDataKey(first, broken);
  });
  afterAll(async () => {
    await s.close();
  });

  it('refuses to start with TELVAULT_STRICT_KEY_CHECK=1, naming the tenant', async () => {
    const err = await startTestServer(dialect, {
      reuse: first,
      config: { strictKeyCheck: true },
    }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ERR_KEYS_MISSING' });
    expect((err as Error).message).toContain(`tenant ${broken} data key v1: unwrap-failed`);
  });

  it('serves the healthy tenant, answers 503 for the broken one, and stays ready', async () => {
    s = await startTestServer(dialect, { reuse: first, logLevel: 'warn' });
    const logged = s.logLines.filter((l) => l.includes(broken));
    expect(logged.join('\n')).toContain('unwrap-failed');
    expect(logged.join('\n')).toContain('ERR_TENANT_KEYS_UNAVAILABLE');

    const ready = await s.request('GET', '/readyz');
    expect(ready.status).toBe(200);
    expect(ready.json).toEqual({ status: 'ready', degraded: true });
    expect(ready.text).not.toContain(broken);

    const ok = await s.request('POST', `/v1/tenants/${healthy}/secrets/api/reveal`, {
      token: tokens.get(healthy),
    });
    expect(ok.status).toBe(200);
    expect(ok.text).toContain(`value-of-${healthy}`);
    const put = await s.request('PUT', `/v1/tenants/${healthy}/secrets/more`, {
      token: tokens.get(healthy),
      body: { value: 'more' },
    });
    expect(put.status).toBe(200);
    expect(
      (await s.request('POST', '/v1/tenants', { token: s.rootToken, body: { name: 'new' } }))
        .status,
    ).toBe(201);

    for (const [method, path, body] of [
      ['POST', `/v1/tenants/${broken}/secrets/api/reveal`, undefined],
      ['PUT', `/v1/tenants/${broken}/secrets/other`, { value: 'x' }],
    ] as const) {
      const r = await s.request(method, path, { token: tokens.get(broken), body });
      expect(r.status).toBe(503);
      expect((r.json as { error: { code: string } }).error.code).toBe(
        'ERR_TENANT_KEYS_UNAVAILABLE',
      );
    }
  });

  it('`keys status` shows the broken key and `tenant delete` removes the tenant', async () => {
    const status = await cli(s, ['keys', 'status']);
    expect(status.code).toBe(0);
    expect(status.out).toContain(`problem: tenant ${broken} data key v1: unwrap-failed`);
    expect(status.out).not.toContain(`problem: tenant ${healthy}`);
    const del = await cli(s, ['tenant', 'delete', broken]);
    expect(del).toMatchObject({ code: 0, out: `deleted ${broken}\n` });
    expect((await cli(s, ['keys', 'status'])).out).not.toContain('problem:');
    expect((await s.request('GET', '/readyz')).json).toEqual({ status: 'ready' });
  });

  it('a key under a master key this node lacks is 503 ERR_MASTER_KEY_UNKNOWN naming it', async () => {
    const tenant = await s.createTenant('elsewhere');
    const foreign = randomMasterKey();
    // As if its key table came from a deployment with another master key.
    await onDatabase(s, async (db) => {
      const material = generateKeyMaterial();
      const wrapped = wrapKey(foreign, material, { tenantId: tenant, purpose: 'data', version: 1 });
      await db
        .updateTable('tenant_keys')
        .set({ wrapped, master_key_id: foreign.id })
        .where('tenant_id', '=', tenant)
        .where('kind', '=', 'data')
        .execute();
    });
    const r = await s.request('PUT', `/v1/tenants/${tenant}/secrets/x`, {
      token: s.rootToken,
      body: { value: randomBytes(8).toString('hex') },
    });
    expect(r.status).toBe(503);
    const error = (r.json as { error: { code: string; message: string } }).error;
    expect(error.code).toBe('ERR_MASTER_KEY_UNKNOWN');
    expect(error.message).toContain(foreign.id);
    expect(error.message).toContain('TELVAULT_MASTER_KEY_NEXT');
  });

  it('a tenant whose key breaks while serving degrades /readyz from its first 503 on', async () => {
    expect((await s.request('GET', '/readyz')).json).toEqual({ status: 'ready' });
    const later = await s.createTenant('breaks later');
    const put = (name: string) =>
      s.request('PUT', `/v1/tenants/${later}/secrets/${name}`, {
        token: s.rootToken,
        body: { value: 'some value' },
      });
    expect((await put('before')).status).toBe(200);
    await breakDataKey(s, later);
    // This node's cache still holds the good key; as after its TTL, it reads the table again.
    s.server.services.keys.forgetTenant(later);
    const r = await put('after');
    expect(r.status).toBe(503);
    expect((r.json as { error: { code: string } }).error.code).toBe('ERR_TENANT_KEYS_UNAVAILABLE');
    const ready = await s.request('GET', '/readyz');
    expect(ready.json).toEqual({ status: 'ready', degraded: true });
    expect(ready.text).not.toContain(later);
    expect(
      s.logLines.filter((l) => l.includes(later) && l.includes('stopped loading')),
    ).toHaveLength(1);
    await put('again');
    expect(
      s.logLines.filter((l) => l.includes(later) && l.includes('stopped loading')),
    ).toHaveLength(1);
    // Deleting it (the operator's repair) clears the degraded flag.
    expect((await cli(s, ['tenant', 'delete', later])).code).toBe(0);
    expect((await s.request('GET', '/readyz')).json).toEqual({ status: 'ready' });
  });
});
