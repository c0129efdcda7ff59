// audit_events: append-only. Nothing here updates or deletes an event. Appends serialise on the
// stream's head row (audit-head-repo.ts), which they lock first.
import type { AuditEventsTable, Database } from './database.js';

export type AuditEventRow = AuditEventsTable;

export interface AuditListQuery {
  tenantId: string | null;
  afterSeq?: number | undefined;
  action?: string | undefined;
  limit: number;
}

export function createAuditRepo() {
  return {
    async last(trx: Database, tenantId: string | null): Promise<AuditEventRow | undefined> {
      return trx
        .selectFrom('audit_events')
        .selectAll()
        .where('tenant_id', tenantId === null ? 'is' : '=', tenantId)
        .orderBy('seq', 'desc')
        .limit(1)
        .executeTakeFirst();
    },

    async at(
      db: Database,
      tenantId: string | null,
      seq: number,
    ): Promise<AuditEventRow | undefined> {
      return db
        .selectFrom('audit_events')
        .selectAll()
        .where('tenant_id', tenantId === null ? 'is' : '=', tenantId)
        .where('seq', '=', seq)
        .executeTakeFirst();
    },

    async insert(trx: Database, row: AuditEventRow): Promise<void> {
      await trx.insertInto('audit_events').values(row).execute();
    },

    async list(db: Database, q: AuditListQuery): Promise<AuditEventRow[]> {
      let query = db
        .selectFrom('audit_events')
        .selectAll()
        .where('tenant_id', q.tenantId === null ? 'is' : '=', q.tenantId);
      if (q.afterSeq !== undefined) query = query.where('seq', '>', q.afterSeq);
      if (q.action !== undefined) query = query.where('action', '=', q.action);
      return query.orderBy('seq', 'asc').limit(q.limit).execute();
    },

    /** Every stream's tenant id (null = operator). */
    async streams(db: Database): Promise<(string | null)[]> {
      const rows = await db.selectFrom('audit_events').select('tenant_id').distinct().execute();
      return rows.map((r) => r.tenant_id);
    },

    /** The targets of one action in one stream (e.g. every `tenant.create` of the operator). */
    async targetsOf(db: Database, tenantId: string | null, action: string): Promise<string[]> {
      const rows = await db
        .selectFrom('audit_events')
        .select('target')
        .where('tenant_id', tenantId === null ? 'is' : '=', tenantId)
        .where('action', '=', action)
        .orderBy('seq', 'asc')
        .execute();
      return rows.map((r) => r.target);
    },

    /** A stream's events in chain order, a page at a time. */
    async page(
      db: Database,
      tenantId: string | null,
      afterSeq: number,
      limit: number,
    ): Promise<AuditEventRow[]> {
      return db
        .selectFrom('audit_events')
        .selectAll()
        .where('tenant_id', tenantId === null ? 'is' : '=', tenantId)
        .where('seq', '>', afterSeq)
        .orderBy('seq', 'asc')
        .limit(limit)
        .execute();
    },
  };
}

export type AuditRepo = ReturnType<typeof createAuditRepo>;
