// A write to a tenant that another node deleted a moment ago (this node still holds its keys in
// cache) is 404 like any route of a missing tenant, not "409 concurrent update: retry": no retry
// could succeed. Two service instances, each with its own key cache, on one database; then two
// real servers on one PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices } from '../../src/app/services.js';
import { parseCredentialInput } from '../../src/services/credentials/index.js';
import { createKeyService } from '../../src/services/keys/key-service.js';
import { parseSecretInput } from '../../src/services/secrets/index.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { DIALECTS, openTestStore, randomMasterKey, type TestStore } from '../store/harness.js';

const CLI = { kind: 'cli' } as const;

describe.each(DIALECTS)('a write to a tenant deleted on another node, on %s', (dialect) => {
  let store: TestStore;
  let nodeA: ReturnType<typeof createServices>;
  let nodeB: ReturnType<typeof createServices>;
  const master = randomMasterKey();

  beforeAll(async () => {
    store = await openTestStore(dialect, 'deleted');
    const other = await store.openAnother();
    const node = (db: typeof store.db) =>
      createServices({
        db,
        dialect: store.dialect,
        // A long stamp-check interval: node B surely still trusts its cached keys below.
        keys: createKeyService({
          db,
          masterKeys: { current: master },
          cache: { stampCheckMs: 600_000 },
        }),
        rootTokenHash: undefined,
      });
    nodeA = node(store.db);
    nodeB = node(other.db);
  });
  afterAll(async () => {
    await store.close();
  });

  it('answers ERR_NOT_FOUND for secrets and credentials', async () => {
    const t = await nodeA.tenants.create('soon gone', CLI);
    // Node B writes once, so it holds the tenant's keys in its cache.
    await nodeB.secrets.put(t.id, 'kept', parseSecretInput({ value: 'one' }), CLI);
    await nodeB.credentials.put(
      t.id,
      'retell',
      parseCredentialInput('retell', { apiKey: 'key_0123456789abcdef0123456789ab' }),
      CLI,
    );
    await nodeA.tenants.remove(t.id, CLI);

    for (const write of [
      () => nodeB.secrets.put(t.id, 'kept', parseSecretInput({ value: 'two' }), CLI),
      () => nodeB.secrets.put(t.id, 'new', parseSecretInput({ value: 'three' }), CLI),
      () =>
        nodeB.credentials.put(
          t.id,
          'retell',
          parseCredentialInput('retell', { apiKey: 'key_ffffffffffffffffffffffffffff' }),
          CLI,
        ),
    ]) {
      await expect(write()).rejects.toMatchObject({ code: 'ERR_NOT_FOUND' });
    }
    // Nothing was written for the deleted tenant.
    for (const table of ['secrets', 'credentials', 'key_usage'] as const) {
      const rows = await store.db
        .selectFrom(table)
        .select('tenant_id')
        .where('tenant_id', '=', t.id)
        .execute();
      expect(rows).toEqual([]);
    }
  });
});

describe('two servers on one PostgreSQL', () => {
  let a: TestServer;
  let b: TestServer;

  beforeAll(async () => {
    a = await startTestServer('postgres', { logLevel: 'warn' });
    // Node B: the same database, master key and root token.
    b = await startTestServer('postgres', { logLevel: 'warn', reuse: a });
  });
  afterAll(async () => {
    await b.server.close();
    await a.close();
  });

  it('answers 404 through B right after A deleted the tenant', async () => {
    const tenantId = await a.createTenant('gone');
    const token = await a.mintToken(tenantId, ['secrets:write']);
    const put = (s: TestServer, value: string) =>
      s.request('PUT', `/v1/tenants/${tenantId}/secrets/k`, { token, body: { value } });
    // B has the token and the keys cached.
    expect((await put(b, 'one')).status).toBe(200);
    expect(
      (await a.request('DELETE', `/v1/tenants/${tenantId}`, { token: a.rootToken })).status,
    ).toBe(204);
    const r = await put(b, 'two');
    expect(r.status).toBe(404);
    expect((r.json as { error: { code: string } }).error.code).toBe('ERR_NOT_FOUND');
  });
});
