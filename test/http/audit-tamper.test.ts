// The keyed, anchored audit chain against someone who can write the database but has no key: every
// way of changing a stream is reported by verify (an edited or forged event even with every later
// plain SHA-256 hash recomputed, a removed event in the middle or at the end, a stream cut short, a
// stream deleted whole), and an append never chains on from a head that is gone or forged.
import { plainHash } from '../support/plain-audit-chain.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCOPES } from '../../src/services/tokens/scopes.js';
import type { AuditEventsTable, AuditHeadsTable, Database } from '../../src/store/database.js';
import { DIALECTS, startTestServer, type TestServer } from '../support/server.js';

const CLI = { kind: 'cli' } as const;

async function eventsOf(db: Database, tenantId: string): Promise<AuditEventsTable[]> {
  return db
    .selectFrom('audit_events')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .orderBy('seq')
    .execute();
}

async function headOf(db: Database, stream: string): Promise<AuditHeadsTable | undefined> {
  return db.selectFrom('audit_heads').selectAll().where('stream', '=', stream).executeTakeFirst();
}

describe.each(DIALECTS)('audit chain tampering on %s', (dialect) => {
  let s: TestServer;
  let db: Database;

  beforeAll(async () => {
    s = await startTestServer(dialect, { logLevel: 'warn' });
    db = s.server.database.db;
  });
  afterAll(async () => {
    await s.close();
  });

  /** A tenant whose stream holds `n` events (seq 1…n). */
  async function tenantWithEvents(name: string, n: number): Promise<string> {
    const t = await s.createTenant(name);
    await Promise.all(
      Array.from({ length: n }, (_, i) =>
        s.server.services.audit.record({
          tenantId: t,
          actor: CLI,
          action: 'test.event',
          target: `n:${i}`,
        }),
      ),
    );
    expect((await eventsOf(db, t)).length).toBe(n);
    return t;
  }

  const verify = () => s.server.services.audit.verify();
  const restore = async (rows: AuditEventsTable[]) => {
    for (const r of rows) await db.insertInto('audit_events').values(r).execute();
  };

  it('verifies as intact before anything is changed', async () => {
    await tenantWithEvents('baseline', 5);
    expect(await verify()).toMatchObject({ ok: true, problems: [] });
  });

  it('detects an edited event', async () => {
    const t = await tenantWithEvents('edited', 6);
    const row = (await eventsOf(db, t))[2] as AuditEventsTable;
    await db
      .updateTable('audit_events')
      .set({ target: 'secret:forged' })
      .where('id', '=', row.id)
      .execute();
    expect((await verify()).problems).toEqual([
      { tenantId: t, seq: 3, id: row.id, reason: 'hash does not match the event contents' },
    ]);
    await db
      .updateTable('audit_events')
      .set({ target: row.target })
      .where('id', '=', row.id)
      .execute();
    expect((await verify()).ok).toBe(true);
  });

  it('detects a deleted event in the middle', async () => {
    const t = await tenantWithEvents('middle', 6);
    const row = (await eventsOf(db, t))[3] as AuditEventsTable;
    await db.deleteFrom('audit_events').where('id', '=', row.id).execute();
    const next = (await eventsOf(db, t))[3] as AuditEventsTable;
    expect((await verify()).problems).toEqual([
      { tenantId: t, seq: 5, id: next.id, reason: 'expected seq 4, found 5' },
    ]);
    await restore([row]);
    expect((await verify()).ok).toBe(true);
  });

  it('detects the last event deleted', async () => {
    const t = await tenantWithEvents('last', 6);
    const row = (await eventsOf(db, t))[5] as AuditEventsTable;
    await db.deleteFrom('audit_events').where('id', '=', row.id).execute();
    expect((await verify()).problems).toEqual([
      {
        tenantId: t,
        seq: 6,
        id: null,
        reason: 'events missing at its end: it ends at seq 5, its head is at seq 6',
      },
    ]);
    await restore([row]);
    expect((await verify()).ok).toBe(true);
  });

  it('detects a stream truncated from 343 events to 10', async () => {
    const t = await tenantWithEvents('truncated', 343);
    const cut = (await eventsOf(db, t)).slice(10);
    await db.deleteFrom('audit_events').where('tenant_id', '=', t).where('seq', '>', 10).execute();
    expect((await verify()).problems).toEqual([
      {
        tenantId: t,
        seq: 343,
        id: null,
        reason: 'events missing at its end: it ends at seq 10, its head is at seq 343',
      },
    ]);
    await restore(cut);
    expect((await verify()).ok).toBe(true);
  });

  it('detects a whole stream deleted, events and head row, of a tenant that exists', async () => {
    const t = await tenantWithEvents('vanished', 4);
    const rows = await eventsOf(db, t);
    const head = (await headOf(db, t)) as AuditHeadsTable;
    await db.deleteFrom('audit_events').where('tenant_id', '=', t).execute();
    await db.deleteFrom('audit_heads').where('stream', '=', t).execute();
    expect((await verify()).problems).toEqual([
      { tenantId: t, seq: 0, id: null, reason: 'stream missing: no head row and no events' },
    ]);
    // The head row alone gone: named as such.
    await restore(rows);
    expect((await verify()).problems).toEqual([
      { tenantId: t, seq: 4, id: null, reason: 'its head row is missing' },
    ]);
    await db.insertInto('audit_heads').values(head).execute();
    expect((await verify()).ok).toBe(true);
  });

  it("keeps a deleted tenant's stream and head, and detects that stream deleted whole", async () => {
    const t = await tenantWithEvents('deleted-later', 3);
    expect((await s.request('DELETE', `/v1/tenants/${t}`, { token: s.rootToken })).status).toBe(
      204,
    );
    // Deletion keeps the stream (its events hold no values): verify still checks it.
    expect(await eventsOf(db, t)).toHaveLength(3);
    expect(await headOf(db, t)).toMatchObject({ seq: 3 });
    expect(await verify()).toMatchObject({ ok: true, problems: [] });
    const rows = await eventsOf(db, t);
    const head = (await headOf(db, t)) as AuditHeadsTable;
    await db.deleteFrom('audit_events').where('tenant_id', '=', t).execute();
    await db.deleteFrom('audit_heads').where('stream', '=', t).execute();
    // Known from the operator stream's tenant.create event though the tenant row is gone.
    expect((await verify()).problems).toEqual([
      { tenantId: t, seq: 0, id: null, reason: 'stream missing: no head row and no events' },
    ]);
    await restore(rows);
    await db.insertInto('audit_heads').values(head).execute();
    expect((await verify()).ok).toBe(true);
  });

  it('detects a forged event with every later plain SHA-256 hash recomputed', async () => {
    const t = await tenantWithEvents('forged', 8);
    const token = await s.mintToken(t, SCOPES); // seq 9: token.create
    const original = await eventsOf(db, t);
    let prev = (original[2] as AuditEventsTable).hash;
    const forged: AuditEventsTable[] = [];
    for (const r of original.slice(3)) {
      const fields = { ...r, prev_hash: prev, target: r.seq === 4 ? 'secret:forged' : r.target };
      const row = { ...fields, hash: plainHash(fields) };
      forged.push(row);
      prev = row.hash;
      await db
        .updateTable('audit_events')
        .set({ target: row.target, prev_hash: row.prev_hash, hash: row.hash })
        .where('id', '=', r.id)
        .execute();
    }
    const at4 = original[3] as AuditEventsTable;
    expect((await verify()).problems).toEqual([
      { tenantId: t, seq: 4, id: at4.id, reason: 'hash does not match the event contents' },
    ]);
    // Moving the head to the recomputed last hash too: the head's MAC no longer matches.
    await db.updateTable('audit_heads').set({ hash: prev }).where('stream', '=', t).execute();
    expect((await verify()).problems).toEqual([
      { tenantId: t, seq: 9, id: null, reason: 'its head row does not match its MAC' },
    ]);
    // And no append chains on from that head: the operation fails, and nothing happens unaudited.
    const put = await s.request('PUT', `/v1/tenants/${t}/secrets/after-forgery`, {
      token,
      body: { value: 'after-forgery-123' },
    });
    expect(put.status).toBe(503);
    expect((put.json as { error: { code: string } }).error.code).toBe('ERR_AUDIT_UNAVAILABLE');
    // The operator's log says which stream is broken and what to run; the client's answer does not.
    const failed = s.logLines.filter((l) => l.includes('ERR_AUDIT_STREAM_BROKEN'));
    expect(failed.join('\n')).toContain(`audit stream ${t}:`);
    expect(put.text).not.toContain(t);
    expect(
      (await s.request('GET', `/v1/tenants/${t}/secrets/after-forgery`, { token })).status,
    ).toBe(404);
    for (const r of original) {
      await db
        .updateTable('audit_events')
        .set({ target: r.target, prev_hash: r.prev_hash, hash: r.hash })
        .where('id', '=', r.id)
        .execute();
    }
    await db
      .updateTable('audit_heads')
      .set({ hash: (original[8] as AuditEventsTable).hash })
      .where('stream', '=', t)
      .execute();
    expect((await verify()).ok).toBe(true);
  });

  it('refuses to append to a stream whose head row is gone, and writes nothing', async () => {
    const t = await tenantWithEvents('headless', 2);
    const token = await s.mintToken(t, SCOPES);
    const head = (await headOf(db, t)) as AuditHeadsTable;
    await db.deleteFrom('audit_heads').where('stream', '=', t).execute();
    const put = await s.request('PUT', `/v1/tenants/${t}/secrets/headless`, {
      token,
      body: { value: 'headless-value-1' },
    });
    expect(put.status).toBe(503);
    expect((put.json as { error: { code: string } }).error.code).toBe('ERR_AUDIT_UNAVAILABLE');
    expect(await eventsOf(db, t)).toHaveLength(3);
    expect(await headOf(db, t)).toBeUndefined();
    await db.insertInto('audit_heads').values(head).execute();
    const again = await s.request('PUT', `/v1/tenants/${t}/secrets/headless`, {
      token,
      body: { value: 'headless-value-1' },
    });
    expect(again.status).toBe(200);
    expect(await headOf(db, t)).toMatchObject({ seq: 4 });
    expect((await verify()).ok).toBe(true);
  });

  it('reports events appended after the head without moving it', async () => {
    const t = await tenantWithEvents('beyond', 3);
    const head = (await headOf(db, t)) as AuditHeadsTable;
    await s.server.services.audit.record({ tenantId: t, actor: CLI, action: 'x', target: 'y' });
    const extra = (await eventsOf(db, t))[3] as AuditEventsTable;
    await db.updateTable('audit_heads').set(head).where('stream', '=', t).execute();
    expect((await verify()).problems).toEqual([
      { tenantId: t, seq: 4, id: extra.id, reason: "event after the stream's head (seq 3)" },
    ]);
    await db.deleteFrom('audit_events').where('id', '=', extra.id).execute();
    expect((await verify()).ok).toBe(true);
  });
});
