// POST …/audit/verify through the real server, on SQLite and PostgreSQL: a tenant's stream (root,
// or audit:read) and the operator stream (root) are checked and answered ok with their event
// counts; an event edited in the raw table, or a stream's head forged, is answered ok: false
// naming the event (seq, id) and why, in that stream only; the check writes nothing; access as
// every audit route (401, 403, another tenant's 404).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEventsTable, Database } from '../../src/store/database.js';
import { DIALECTS, startTestServer, type TestServer } from '../support/server.js';

interface Verification {
  ok: boolean;
  tenantId: string | null;
  events: number;
  checkedAt: string;
  problem: { seq: number; eventId: string | null; reason: string } | null;
}

const eventsOf = (db: Database, tenantId: string | null): Promise<AuditEventsTable[]> => {
  let q = db.selectFrom('audit_events').selectAll().orderBy('seq');
  q = tenantId === null ? q.where('tenant_id', 'is', null) : q.where('tenant_id', '=', tenantId);
  return q.execute();
};

describe.each(DIALECTS)('audit verify API on %s', (dialect) => {
  let s: TestServer;
  let db: Database;
  let a: string;
  let b: string;
  let readerA: string;

  const verify = async (tenantId: string | null, token = s.rootToken) => {
    const path = tenantId === null ? '/v1/audit/verify' : `/v1/tenants/${tenantId}/audit/verify`;
    const r = await s.request('POST', path, { token });
    expect(r.status, r.text).toBe(200);
    return r.json as Verification;
  };

  beforeAll(async () => {
    s = await startTestServer(dialect, { logLevel: 'warn' });
    db = s.server.database.db;
    a = await s.createTenant('alpha');
    b = await s.createTenant('bravo');
    readerA = await s.mintToken(a, ['audit:read']);
    for (const t of [a, b]) {
      await s.request('PUT', `/v1/tenants/${t}/secrets/api-key`, {
        token: s.rootToken,
        body: { value: 'audit-verify-canary-value-1234' },
      });
    }
  });
  afterAll(async () => {
    await s?.close();
  });

  it("answers ok with the stream's event count, for root and for audit:read, and writes nothing", async () => {
    const count = (await eventsOf(db, a)).length;
    expect(count).toBeGreaterThanOrEqual(2);
    const byReader = await verify(a, readerA);
    expect(byReader).toMatchObject({ ok: true, tenantId: a, events: count, problem: null });
    expect(Date.parse(byReader.checkedAt)).not.toBeNaN();
    expect(await verify(a)).toMatchObject({ ok: true, events: count });
    const operator = await verify(null);
    expect(operator).toMatchObject({
      ok: true,
      tenantId: null,
      events: (await eventsOf(db, null)).length,
      problem: null,
    });
    // Checking is reading: no event was added to either stream.
    expect((await eventsOf(db, a)).length).toBe(count);
  });

  it('refuses no token (401), a missing scope (403), another tenant (404), the operator stream to a tenant token (403)', async () => {
    expect((await s.request('POST', `/v1/tenants/${a}/audit/verify`)).status).toBe(401);
    expect((await s.request('POST', '/v1/audit/verify')).status).toBe(401);
    const weak = await s.mintToken(a, ['keys:read', 'secrets:read']);
    const forbidden = await s.request('POST', `/v1/tenants/${a}/audit/verify`, { token: weak });
    expect(forbidden.status).toBe(403);
    expect(forbidden.text).toContain('audit:read');
    const readerB = await s.mintToken(b, ['audit:read']);
    const cross = await s.request('POST', `/v1/tenants/${a}/audit/verify`, { token: readerB });
    expect(cross.status).toBe(404);
    expect(cross.text).not.toContain(a);
    expect((await s.request('POST', '/v1/audit/verify', { token: readerA })).status).toBe(403);
  });

  it('answers ok: false naming the event edited in the raw table, in its stream only', async () => {
    const rows = await eventsOf(db, a);
    const row = rows[1] as AuditEventsTable;
    await db
      .updateTable('audit_events')
      .set({ action: 'secret.delete' })
      .where('id', '=', row.id)
      .execute();
    try {
      const r = await verify(a, readerA);
      expect(r).toMatchObject({
        ok: false,
        tenantId: a,
        problem: {
          seq: row.seq,
          eventId: row.id,
          reason: 'hash does not match the event contents',
        },
      });
      // Never an event's contents: the answer holds no detail, target or actor of any event.
      expect(JSON.stringify(r)).not.toContain(row.target);
      expect(JSON.stringify(r)).not.toContain('audit-verify-canary');
      // The other streams are intact.
      expect((await verify(b)).ok).toBe(true);
      expect((await verify(null)).ok).toBe(true);
    } finally {
      await db
        .updateTable('audit_events')
        .set({ action: row.action })
        .where('id', '=', row.id)
        .execute();
    }
    expect((await verify(a)).ok).toBe(true);
  });

  it('answers ok: false for an edited operator event and for a forged head, with the seq', async () => {
    const ops = await eventsOf(db, null);
    const first = ops[0] as AuditEventsTable;
    await db
      .updateTable('audit_events')
      .set({ target: 'tenant:forged' })
      .where('id', '=', first.id)
      .execute();
    try {
      expect(await verify(null)).toMatchObject({
        ok: false,
        problem: { seq: first.seq, eventId: first.id },
      });
    } finally {
      await db
        .updateTable('audit_events')
        .set({ target: first.target })
        .where('id', '=', first.id)
        .execute();
    }
    const head = await db
      .selectFrom('audit_heads')
      .selectAll()
      .where('stream', '=', b)
      .executeTakeFirstOrThrow();
    await db
      .updateTable('audit_heads')
      .set({ seq: head.seq + 1 })
      .where('stream', '=', b)
      .execute();
    try {
      expect(await verify(b)).toMatchObject({
        ok: false,
        problem: {
          seq: head.seq + 1,
          eventId: null,
          reason: 'its head row does not match its MAC',
        },
      });
    } finally {
      await db.updateTable('audit_heads').set({ seq: head.seq }).where('stream', '=', b).execute();
    }
    expect((await verify(b)).ok).toBe(true);
  });
});
