// A database whose audit chains are the released plain SHA-256 ones (schema 001, no audit key, no
// heads) is upgraded: the migration adds the heads, the first start-up closes every plain chain
// once (a MAC'd head at its last plain event, a `audit.keyed` operator event), the old hashes stay
// as they were and still verify, and the chain continues keyed from the last plain hash. Forging
// the plain part and recomputing its hashes is then detected too.
import { PLAIN_GENESIS, plainHash } from '../support/plain-audit-chain.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { SCOPES } from '../../src/services/tokens/scopes.js';
import {
  openDatabase,
  type AuditEventsTable,
  type AuditHeadsTable,
  type Database,
} from '../../src/store/database.js';
import { DIALECTS, startTestServer, type TestServer } from '../support/server.js';

const GENESIS = PLAIN_GENESIS;

async function streamRows(db: Database, tenantId: string | null): Promise<AuditEventsTable[]> {
  let q = db.selectFrom('audit_events').selectAll().orderBy('seq');
  q = tenantId === null ? q.where('tenant_id', 'is', null) : q.where('tenant_id', '=', tenantId);
  return q.execute();
}

/** Rewrites `rows` (of one stream, in seq order) as a plain chain linked to `prev`. */
async function rechainPlain(db: Database, rows: readonly AuditEventsTable[], prev: string) {
  for (const r of rows) {
    const hash = plainHash({ ...r, prev_hash: prev });
    await db
      .updateTable('audit_events')
      .set({ prev_hash: prev, hash, target: r.target })
      .where('id', '=', r.id)
      .execute();
    prev = hash;
  }
}

/** Turns a database into what the released code left: plain chains, schema 001, no audit key. */
async function downgradeToPlainChains(s: TestServer): Promise<void> {
  const opened = await openDatabase({
    databaseUrl: s.databaseUrl,
    dataDir: s.dataDir,
    migrate: false,
  });
  try {
    const db = opened.db;
    const streams = await db.selectFrom('audit_events').select('tenant_id').distinct().execute();
    for (const { tenant_id } of streams) {
      await rechainPlain(db, await streamRows(db, tenant_id), GENESIS);
    }
    await sql`drop table audit_heads`.execute(db);
    await db.deleteFrom('schema_migrations').where('version', '=', 2).execute();
    await db.deleteFrom('tenant_keys').where('kind', '=', 'audit').execute();
  } finally {
    await opened.close();
  }
}

describe.each(DIALECTS)('upgrading plain audit chains on %s', (dialect) => {
  let s: TestServer;
  const ids = { used: '', empty: '', gone: '', goneEmpty: '' };
  let plain: AuditEventsTable[] = [];
  const db = () => s.server.database.db;
  const restart = async () => {
    await s.server.close();
    s = await startTestServer(dialect, { logLevel: 'silent', reuse: s });
  };
  const head = (stream: string) =>
    db().selectFrom('audit_heads').selectAll().where('stream', '=', stream).executeTakeFirst();

  beforeAll(async () => {
    s = await startTestServer(dialect, { logLevel: 'silent' });
    ids.used = await s.createTenant('used');
    ids.empty = await s.createTenant('empty');
    ids.gone = await s.createTenant('gone');
    ids.goneEmpty = await s.createTenant('gone-empty');
    const token = await s.mintToken(ids.used, SCOPES);
    for (let i = 0; i < 4; i++) {
      await s.request('PUT', `/v1/tenants/${ids.used}/secrets/s${i}`, {
        token,
        body: { value: `value-${i}` },
      });
    }
    await s.mintToken(ids.gone, SCOPES);
    for (const t of [ids.gone, ids.goneEmpty]) {
      await s.request('DELETE', `/v1/tenants/${t}`, { token: s.rootToken });
    }
    await s.server.close();
    await downgradeToPlainChains(s);
    s = await startTestServer(dialect, { logLevel: 'silent', reuse: s });
    plain = await db().selectFrom('audit_events').selectAll().orderBy('id').execute();
  });
  afterAll(async () => {
    await s.close();
  });

  it('closes every plain chain once at start-up, keeping the old hashes', async () => {
    const ops = await streamRows(db(), null);
    const keyed = ops[ops.length - 1] as AuditEventsTable;
    expect(keyed).toMatchObject({ action: 'audit.keyed', actor: 'system:audit' });
    expect(JSON.parse(keyed.detail_json ?? '')).toEqual({ streams: 5 });
    const lastPlainOp = ops[ops.length - 2] as AuditEventsTable;
    expect(keyed.prev_hash).toBe(lastPlainOp.hash);
    expect(keyed.hash).not.toBe(plainHash(keyed));
    // Every event but the closing one is the plain one it was, hash and all.
    const before = plain.filter((e) => e.id !== keyed.id);
    for (const e of before) expect(e.hash).toBe(plainHash(e));
    const used = await streamRows(db(), ids.used);
    const usedLast = used[used.length - 1] as AuditEventsTable;
    expect(await head(ids.used)).toMatchObject({
      seq: usedLast.seq,
      hash: usedLast.hash,
      keyed_from: usedLast.seq + 1,
    });
    // Streams without events (an empty tenant, a deleted one known from tenant.create) get one.
    for (const t of [ids.empty, ids.goneEmpty]) {
      expect(await head(t)).toMatchObject({ seq: 0, hash: GENESIS, keyed_from: 1 });
    }
    expect(await head('operator')).toMatchObject({ seq: keyed.seq, keyed_from: keyed.seq });
    expect(await s.server.services.audit.verify()).toMatchObject({
      ok: true,
      streams: 5,
      problems: [],
    });
  });

  it('continues each stream keyed from its last plain hash', async () => {
    const before = await streamRows(db(), ids.used);
    const lastPlain = before[before.length - 1] as AuditEventsTable;
    const token = await s.mintToken(ids.used, SCOPES);
    await s.request('PUT', `/v1/tenants/${ids.used}/secrets/after`, {
      token,
      body: { value: 'after-upgrade' },
    });
    const after = (await streamRows(db(), ids.used)).slice(before.length);
    expect(after.map((e) => e.action)).toEqual(['token.create', 'secret.write']);
    const first = after[0] as AuditEventsTable;
    expect(first).toMatchObject({ seq: lastPlain.seq + 1, prev_hash: lastPlain.hash });
    expect(first.hash).not.toBe(plainHash(first));
    expect((await head(ids.used))?.keyed_from).toBe(lastPlain.seq + 1);
    expect((await s.server.services.audit.verify()).ok).toBe(true);
  });

  it('never closes again on later start-ups', async () => {
    const before = await streamRows(db(), null);
    await restart();
    expect(await streamRows(db(), null)).toEqual(before);
    expect((await s.server.services.audit.verify()).ok).toBe(true);
  });

  it('detects a forged plain event whose later plain hashes were recomputed', async () => {
    // In a stream that continued keyed: the first keyed event no longer links.
    const used = await streamRows(db(), ids.used);
    const keyedFrom = (await head(ids.used))?.keyed_from ?? 0;
    const plainPart = used.filter((e) => e.seq < keyedFrom);
    const forged = plainPart.map((e) => (e.seq === 2 ? { ...e, target: 'secret:forged' } : e));
    await rechainPlain(db(), forged.slice(1), (plainPart[0] as AuditEventsTable).hash);
    const firstKeyed = used.find((e) => e.seq === keyedFrom) as AuditEventsTable;
    expect((await s.server.services.audit.verify()).problems).toEqual([
      {
        tenantId: ids.used,
        seq: keyedFrom,
        id: firstKeyed.id,
        reason: 'prev_hash does not match the event before',
      },
    ]);
    await rechainPlain(db(), plainPart.slice(1), (plainPart[0] as AuditEventsTable).hash);
    // In a stream that is all plain (a deleted tenant's): its last event no longer is the head.
    const gone = await streamRows(db(), ids.gone);
    await rechainPlain(
      db(),
      gone.map((e) => ({ ...e, target: 'forged' })),
      GENESIS,
    );
    expect((await s.server.services.audit.verify()).problems).toEqual([
      {
        tenantId: ids.gone,
        seq: gone.length,
        id: null,
        reason: 'its last event does not match its head',
      },
    ]);
    await rechainPlain(db(), gone, GENESIS);
    expect((await s.server.services.audit.verify()).ok).toBe(true);
  });

  it('does not close again when the operator head is deleted, and reports it', async () => {
    const opHead = (await head('operator')) as AuditHeadsTable;
    await db().deleteFrom('audit_heads').where('stream', '=', 'operator').execute();
    await restart();
    expect(await head('operator')).toBeUndefined();
    const v = await s.server.services.audit.verify();
    expect(v.problems).toEqual([
      { tenantId: null, seq: opHead.seq, id: null, reason: 'its head row is missing' },
    ]);
    const r = await s.request('POST', '/v1/tenants', { token: s.rootToken, body: { name: 'x' } });
    expect(r.status).toBe(503);
    expect((r.json as { error: { code: string } }).error.code).toBe('ERR_AUDIT_UNAVAILABLE');
    await db().insertInto('audit_heads').values(opHead).execute();
    expect((await s.server.services.audit.verify()).ok).toBe(true);
  });

  it('does not close again when every head is deleted: the operator stream ends keyed', async () => {
    const heads = await db().selectFrom('audit_heads').selectAll().execute();
    await db().deleteFrom('audit_heads').execute();
    await restart();
    expect(await db().selectFrom('audit_heads').selectAll().execute()).toEqual([]);
    const reasons = (await s.server.services.audit.verify()).problems.map((p) => p.reason);
    expect(reasons.sort()).toEqual([
      'its head row is missing',
      'its head row is missing',
      'its head row is missing',
      'stream missing: no head row and no events',
      'stream missing: no head row and no events',
    ]);
    for (const h of heads) await db().insertInto('audit_heads').values(h).execute();
    expect((await s.server.services.audit.verify()).ok).toBe(true);
  });
});
