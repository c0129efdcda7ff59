// The audit log: chained per stream, paginated, filtered, verified; tampering is detected; an
// operation whose event cannot be written fails (no unaudited reveal); concurrent appends keep
// the chain whole.
import { sql } from 'kysely';
import { asTenantId } from '../../src/crypto/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCOPES } from '../../src/services/tokens/scopes.js';
import { DIALECTS, startTestServer, type TestServer } from '../support/server.js';

interface Page {
  events: {
    seq: number;
    action: string;
    actor: string;
    target: string;
    prevHash: string;
    hash: string;
  }[];
  nextCursor: string | null;
}

describe.each(DIALECTS)('audit log on %s', (dialect) => {
  let s: TestServer;
  let t = asTenantId('unset');
  let token = '';

  beforeAll(async () => {
    s = await startTestServer(dialect, { logLevel: 'silent' });
    t = await s.createTenant('audited');
    token = await s.mintToken(t, SCOPES);
  });
  afterAll(async () => {
    await s.close();
  });

  it('chains events under concurrent appends and verifies every stream', async () => {
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        s.request('PUT', `/v1/tenants/${t}/secrets/s${i}`, {
          token,
          body: { value: `value-${i}` },
        }),
      ),
    );
    const other = await s.createTenant('other');
    await s.request('DELETE', `/v1/tenants/${other}`, { token: s.rootToken });
    const result = await s.server.services.audit.verify();
    expect(result).toMatchObject({ ok: true, problems: [] });
    expect(result.streams).toBeGreaterThanOrEqual(2);
    const ops = await s.request('GET', '/v1/audit', { token: s.rootToken });
    const actions = (ops.json as Page).events.map((e) => `${e.action} ${e.actor}`);
    expect(actions).toEqual(['tenant.create root', 'tenant.create root', 'tenant.delete root']);
  });

  it('group-commits concurrent standalone events, each committed before its response', async () => {
    await s.request('PUT', `/v1/tenants/${t}/secrets/hot`, { token, body: { value: 'hot-value' } });
    const before = await s.server.database.db
      .selectFrom('audit_events')
      .select('id')
      .where('action', '=', 'secret.reveal')
      .execute();
    const results = await Promise.all(
      Array.from({ length: 30 }, () =>
        s.request('POST', `/v1/tenants/${t}/secrets/hot/reveal`, { token }),
      ),
    );
    expect(results.every((r) => r.status === 200)).toBe(true);
    const after = await s.server.database.db
      .selectFrom('audit_events')
      .select('id')
      .where('action', '=', 'secret.reveal')
      .execute();
    expect(after.length - before.length).toBe(30);
    expect((await s.server.services.audit.verify()).ok).toBe(true);
  });

  it('pages with a cursor and filters by action', async () => {
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const q: string = cursor === null ? '' : `&cursor=${cursor}`;
      const r = await s.request('GET', `/v1/tenants/${t}/audit?limit=5${q}`, { token });
      const page = r.json as Page;
      expect(page.events.length).toBeLessThanOrEqual(5);
      seen.push(...page.events.map((e) => e.seq));
      cursor = page.nextCursor;
    } while (cursor !== null);
    expect(seen).toEqual(Array.from({ length: seen.length }, (_, i) => i + 1));
    const writes = await s.request('GET', `/v1/tenants/${t}/audit?action=secret.write&limit=500`, {
      token,
    });
    const events = (writes.json as Page).events;
    expect(events).toHaveLength(13);
    expect(new Set(events.map((e) => e.target)).size).toBe(13);
    expect((await s.request('GET', `/v1/tenants/${t}/audit?cursor=bogus`, { token })).status).toBe(
      400,
    );
  });

  it('offers no route that changes or deletes an event', () => {
    const auditRoutes = s.server.routes.filter((r) => r.url.includes('audit'));
    // Reads, and the chain checks (POST, but they only read: test/http/audit-verify.test.ts).
    expect(auditRoutes.map((r) => `${r.method} ${r.url}`).sort()).toEqual([
      'GET /v1/audit',
      'GET /v1/tenants/:tenantId/audit',
      'POST /v1/audit/verify',
      'POST /v1/tenants/:tenantId/audit/verify',
    ]);
  });

  it('fails a reveal whose audit event cannot be written, and returns no value', async () => {
    await s.request('PUT', `/v1/tenants/${t}/secrets/guarded`, {
      token,
      body: { value: 'guarded-value-123' },
    });
    const db = s.server.database.db;
    if (dialect === 'sqlite') {
      await sql`create trigger audit_block before insert on audit_events begin select raise(abort, 'blocked'); end`.execute(
        db,
      );
    } else {
      await sql`create function audit_block() returns trigger language plpgsql as $$ begin raise exception 'blocked'; end $$`.execute(
        db,
      );
      await sql`create trigger audit_block before insert on audit_events for each row execute function audit_block()`.execute(
        db,
      );
    }
    try {
      const r = await s.request('POST', `/v1/tenants/${t}/secrets/guarded/reveal`, { token });
      expect(r.status).toBe(503);
      expect((r.json as { error: { code: string } }).error.code).toBe('ERR_AUDIT_UNAVAILABLE');
      expect(r.text).not.toContain('guarded-value');
      // A write whose event cannot be written does not happen either.
      const w = await s.request('PUT', `/v1/tenants/${t}/secrets/guarded`, {
        token,
        body: { value: 'changed-value-456' },
      });
      expect(w.status).toBe(503);
      await expect(
        s.server.services.credentials.use(t, 'twilio', 'calls.create', { kind: 'cli' }),
      ).rejects.toMatchObject({ code: 'ERR_AUDIT_UNAVAILABLE' });
    } finally {
      await sql`drop trigger audit_block ${sql.raw(dialect === 'postgres' ? 'on audit_events' : '')}`.execute(
        db,
      );
    }
    const after = await s.request('POST', `/v1/tenants/${t}/secrets/guarded/reveal`, { token });
    expect(after.json).toEqual({ name: 'guarded', value: 'guarded-value-123' });
  });

  it('detects a tampered and a removed event', async () => {
    const db = s.server.database.db;
    const row = await db
      .selectFrom('audit_events')
      .selectAll()
      .where('tenant_id', '=', t)
      .where('seq', '=', 3)
      .executeTakeFirstOrThrow();
    await db
      .updateTable('audit_events')
      .set({ target: 'secret:forged' })
      .where('id', '=', row.id)
      .execute();
    let v = await s.server.services.audit.verify();
    expect(v.ok).toBe(false);
    expect(v.problems).toEqual([
      { tenantId: t, seq: 3, id: row.id, reason: 'hash does not match the event contents' },
    ]);
    await db
      .updateTable('audit_events')
      .set({ target: row.target })
      .where('id', '=', row.id)
      .execute();
    expect((await s.server.services.audit.verify()).ok).toBe(true);
    await db.deleteFrom('audit_events').where('id', '=', row.id).execute();
    v = await s.server.services.audit.verify();
    expect(v.problems[0]).toMatchObject({ tenantId: t, seq: 4, reason: 'expected seq 3, found 4' });
  });
});
