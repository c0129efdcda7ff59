// Appends racing for one stream's head: group commits and appends inside callers' transactions on
// one node (both dialects), and two nodes on one PostgreSQL database, on a tenant stream and on the
// operator stream (whose NULL tenant no unique constraint covers). Every append succeeds, the seqs
// have no gap or duplicate, the head is at the last event, and the chain verifies.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openServices, type OpenedServices } from '../../src/app/open-services.js';
import { DEFAULT_AUTH_FAILURES, DEFAULT_CONNECTIONS } from '../../src/config.js';
import { SCOPES } from '../../src/services/tokens/scopes.js';
import type { Database } from '../../src/store/database.js';
import { DIALECTS, startTestServer, type TestServer } from '../support/server.js';

const CLI = { kind: 'cli' } as const;

async function expectWholeStream(db: Database, tenantId: string | null, count: number) {
  let q = db.selectFrom('audit_events').select(['seq', 'hash']).orderBy('seq');
  q = tenantId === null ? q.where('tenant_id', 'is', null) : q.where('tenant_id', '=', tenantId);
  const rows = await q.execute();
  expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: count }, (_, i) => i + 1));
  const head = await db
    .selectFrom('audit_heads')
    .selectAll()
    .where('stream', '=', tenantId ?? 'operator')
    .executeTakeFirstOrThrow();
  expect({ seq: head.seq, hash: head.hash }).toEqual(rows[rows.length - 1]);
}

const countOf = async (db: Database, tenantId: string | null) => {
  let q = db.selectFrom('audit_events').select((eb) => eb.fn.countAll<string>().as('n'));
  q = tenantId === null ? q.where('tenant_id', 'is', null) : q.where('tenant_id', '=', tenantId);
  return Number((await q.executeTakeFirstOrThrow()).n);
};

describe.each(DIALECTS)('concurrent audit appends on one node on %s', (dialect) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer(dialect, { logLevel: 'silent' });
  });
  afterAll(async () => {
    await s.close();
  });

  it("interleaves group commits with appends inside callers' transactions", async () => {
    const t = await s.createTenant('busy');
    const token = await s.mintToken(t, SCOPES);
    const before = await countOf(s.server.database.db, t);
    const grouped = Array.from({ length: 60 }, (_, i) =>
      s.server.services.audit.record({ tenantId: t, actor: CLI, action: 'x', target: `g${i}` }),
    );
    const writes = Array.from({ length: 10 }, (_, i) =>
      s.request('PUT', `/v1/tenants/${t}/secrets/w${i}`, { token, body: { value: `value-${i}` } }),
    );
    await Promise.all(grouped);
    expect((await Promise.all(writes)).map((r) => r.status)).toEqual(Array(10).fill(200));
    await expectWholeStream(s.server.database.db, t, before + 70);
    expect(await s.server.services.audit.verify()).toMatchObject({ ok: true, problems: [] });
  });
});

describe.each(DIALECTS)('audit verify while appends run on %s', (dialect) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer(dialect, { logLevel: 'silent' });
  });
  afterAll(async () => {
    await s.close();
  });

  it('reports nothing for events and tenants that commit while it reads', async () => {
    const t = await s.createTenant('live');
    let stop = false;
    const appender = async (tenantId: string | null) => {
      for (let i = 0; !stop; i++) {
        await s.server.services.audit.record({ tenantId, actor: CLI, action: 'x', target: `${i}` });
      }
    };
    const creator = async () => {
      for (let i = 0; !stop; i++) await s.createTenant(`new-${i}`);
    };
    const running = [appender(t), appender(t), appender(null), creator()];
    const results = [];
    for (let i = 0; i < 15; i++) results.push(await s.server.services.audit.verify());
    stop = true;
    await Promise.all(running);
    expect(results.flatMap((r) => r.problems)).toEqual([]);
    expect((await s.server.services.audit.verify()).ok).toBe(true);
  });
});

describe('two nodes appending to the same audit streams on postgres', () => {
  let a: TestServer;
  let b: OpenedServices;
  beforeAll(async () => {
    a = await startTestServer('postgres', { logLevel: 'silent' });
    b = await openServices({
      masterKey: a.masterKey,
      masterKeyPrevious: undefined,
      databaseUrl: a.databaseUrl,
      dataDir: a.dataDir,
      redisUrl: undefined,
      rootToken: undefined,
      host: '127.0.0.1',
      port: 0,
      providers: 'sandbox',
      sandboxUrl: undefined,
      logLevel: 'silent',
      allowEnvOverride: false,
      connections: { ...DEFAULT_CONNECTIONS },
      authFailures: { ...DEFAULT_AUTH_FAILURES },
    });
  });
  afterAll(async () => {
    await b.close();
    await a.close();
  });

  it('serialises them on the head row: no append fails, no seq is lost or doubled', async () => {
    const t = await a.createTenant('shared');
    const db = a.server.database.db;
    const base = { tenant: await countOf(db, t), operator: await countOf(db, null) };
    const nodes = [a.server.services, b.services];
    const appends = nodes.flatMap((svc, n) => [
      ...Array.from({ length: 80 }, (_, i) =>
        svc.audit.record({ tenantId: t, actor: CLI, action: 'x', target: `n${n}-${i}` }),
      ),
      ...Array.from({ length: 20 }, (_, i) =>
        svc.audit.record({ tenantId: null, actor: CLI, action: 'x', target: `n${n}-${i}` }),
      ),
      // Appends inside their own transactions, as operations do.
      ...Array.from({ length: 10 }, (_, i) =>
        db
          .transaction()
          .execute((trx) =>
            svc.audit.record({ tenantId: t, actor: CLI, action: 'y', target: `t${n}-${i}` }, trx),
          ),
      ),
    ]);
    const results = await Promise.allSettled(appends);
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    await expectWholeStream(db, t, base.tenant + 180);
    await expectWholeStream(db, null, base.operator + 40);
    expect(await b.services.audit.verify()).toMatchObject({ ok: true, problems: [] });
  });
});
