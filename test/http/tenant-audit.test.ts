// Tenant create and delete commit together with their operator-stream audit event: when the event
// cannot be written, no tenant is created (no row, no keys, no audit stream head) and a deletion
// leaves the tenant, its keys and its rows as they were. A tenant's stream head is created with it
// and outlives it, like its events.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCOPES } from '../../src/services/tokens/scopes.js';
import type { Database } from '../../src/store/database.js';
import { DIALECTS, startTestServer, type TestServer } from '../support/server.js';

interface OperatorPage {
  events: { action: string; actor: string; target: string }[];
}

async function blockAudit(db: Database, dialect: string): Promise<() => Promise<void>> {
  if (dialect === 'sqlite') {
    await sql`create trigger audit_block before insert on audit_events begin select raise(abort, 'blocked'); end`.execute(
      db,
    );
  } else {
    await sql`create or replace function audit_block() returns trigger language plpgsql as $$ begin raise exception 'blocked'; end $$`.execute(
      db,
    );
    await sql`create trigger audit_block before insert on audit_events for each row execute function audit_block()`.execute(
      db,
    );
  }
  return async () => {
    await sql`drop trigger audit_block ${sql.raw(dialect === 'postgres' ? 'on audit_events' : '')}`.execute(
      db,
    );
  };
}

describe.each(DIALECTS)('tenant audit atomicity on %s', (dialect) => {
  let s: TestServer;
  let db: Database;

  beforeAll(async () => {
    s = await startTestServer(dialect, { logLevel: 'silent' });
    db = s.server.database.db;
  });
  afterAll(async () => {
    await s.close();
  });

  const counts = async (tenantId?: string) => {
    const count = async (table: 'tenants' | 'tenant_keys' | 'secrets', column: string) => {
      let q = db.selectFrom(table).select(sql<number>`count(*)`.as('n'));
      if (tenantId !== undefined) q = q.where(sql.ref(column), '=', tenantId);
      return Number((await q.executeTakeFirstOrThrow()).n);
    };
    return {
      tenants: await count('tenants', 'id'),
      keys: await count('tenant_keys', 'tenant_id'),
      secrets: await count('secrets', 'tenant_id'),
    };
  };
  const heads = () => db.selectFrom('audit_heads').selectAll().orderBy('stream').execute();
  const headOf = (t: string) =>
    db.selectFrom('audit_heads').selectAll().where('stream', '=', t).executeTakeFirst();
  const operatorEvents = async () => {
    const r = await s.request('GET', '/v1/audit?limit=500', { token: s.rootToken });
    return (r.json as OperatorPage).events;
  };

  it('creates no tenant and no keys when the event cannot be written', async () => {
    const before = await counts();
    const headsBefore = await heads();
    const eventsBefore = await operatorEvents();
    const unblock = await blockAudit(db, dialect);
    try {
      const r = await s.request('POST', '/v1/tenants', {
        token: s.rootToken,
        body: { name: 'unaudited' },
      });
      expect(r.status).toBe(503);
      expect((r.json as { error: { code: string } }).error.code).toBe('ERR_AUDIT_UNAVAILABLE');
    } finally {
      await unblock();
    }
    expect(await counts()).toEqual(before);
    expect(
      await db.selectFrom('tenants').select('id').where('name', '=', 'unaudited').execute(),
    ).toEqual([]);
    expect(await heads()).toEqual(headsBefore);
    expect(await operatorEvents()).toEqual(eventsBefore);
  });

  it('leaves the tenant, its keys and rows when the deletion event cannot be written', async () => {
    const t = await s.createTenant('kept');
    const token = await s.mintToken(t, SCOPES);
    const put = await s.request('PUT', `/v1/tenants/${t}/secrets/kept`, {
      token,
      body: { value: 'kept-value-123' },
    });
    expect(put.status).toBe(200);
    const before = await counts(t);
    expect(before).toMatchObject({ tenants: 1, secrets: 1 });
    expect(before.keys).toBeGreaterThan(0);
    const eventsBefore = await operatorEvents();
    const unblock = await blockAudit(db, dialect);
    try {
      const r = await s.request('DELETE', `/v1/tenants/${t}`, { token: s.rootToken });
      expect(r.status).toBe(503);
      expect((r.json as { error: { code: string } }).error.code).toBe('ERR_AUDIT_UNAVAILABLE');
    } finally {
      await unblock();
    }
    expect(await counts(t)).toEqual(before);
    expect(await operatorEvents()).toEqual(eventsBefore);
    // The keys still open the tenant's rows.
    const reveal = await s.request('POST', `/v1/tenants/${t}/secrets/kept/reveal`, { token });
    expect(reveal.json).toEqual({ name: 'kept', value: 'kept-value-123' });
  });

  it('records no deletion event when the deletion itself fails', async () => {
    const t = await s.createTenant('undeletable');
    const eventsBefore = await operatorEvents();
    if (dialect === 'sqlite') {
      await sql`create trigger tenant_block before delete on tenants begin select raise(abort, 'blocked'); end`.execute(
        db,
      );
    } else {
      await sql`create or replace function tenant_block() returns trigger language plpgsql as $$ begin raise exception 'blocked'; end $$`.execute(
        db,
      );
      await sql`create trigger tenant_block before delete on tenants for each row execute function tenant_block()`.execute(
        db,
      );
    }
    try {
      const r = await s.request('DELETE', `/v1/tenants/${t}`, { token: s.rootToken });
      expect(r.status).toBe(500);
    } finally {
      await sql`drop trigger tenant_block ${sql.raw(dialect === 'postgres' ? 'on tenants' : '')}`.execute(
        db,
      );
    }
    expect(await operatorEvents()).toEqual(eventsBefore);
    expect((await counts(t)).tenants).toBe(1);
  });

  it('records exactly one operator event per create and delete, and the chain verifies', async () => {
    const before = (await operatorEvents()).length;
    const t = await s.createTenant('audited-once');
    let events = await operatorEvents();
    expect(events.slice(before)).toEqual([
      expect.objectContaining({ action: 'tenant.create', actor: 'root', target: `tenant:${t}` }),
    ]);
    expect(await headOf(t)).toMatchObject({ seq: 0, keyed_from: 1 });
    const del = await s.request('DELETE', `/v1/tenants/${t}`, { token: s.rootToken });
    expect(del.status).toBe(204);
    expect(await counts(t)).toEqual({ tenants: 0, keys: 0, secrets: 0 });
    expect(await headOf(t)).toMatchObject({ seq: 0 });
    events = await operatorEvents();
    expect(events.slice(before)).toEqual([
      expect.objectContaining({ action: 'tenant.create', target: `tenant:${t}` }),
      expect.objectContaining({ action: 'tenant.delete', actor: 'root', target: `tenant:${t}` }),
    ]);
    // A deletion of a tenant already gone is a 404 and records nothing.
    const again = await s.request('DELETE', `/v1/tenants/${t}`, { token: s.rootToken });
    expect(again.status).toBe(404);
    expect((again.json as { error: { code: string } }).error.code).toBe('ERR_NOT_FOUND');
    expect(await operatorEvents()).toHaveLength(events.length);
    expect(await s.server.services.audit.verify()).toMatchObject({ ok: true, problems: [] });
  });
});
