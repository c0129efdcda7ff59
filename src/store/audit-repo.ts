// audit_events: append-only. Nothing here updates or deletes an event.
import { sql } from 'kysely';
import type { AuditEventsTable, Database, DialectName } from './database.js';

export type AuditEventRow = AuditEventsTable;

/** Advisory lock class for audit streams on PostgreSQL ("tvau"). Do not change. */
const AUDIT_LOCK_CLASS = 0x74766175;

export interface AuditListQuery {
  tenantId: string | null;
  afterSeq?: number | undefined;
  action?: string | undefined;
  limit: number;
}

export function createAuditRepo(dialect: DialectName) {
  return {
    /**
     * Serialises appends to one stream until the transaction ends: a transaction-scoped advisory
     * lock on PostgreSQL (also covers the operator stream, whose NULL tenant the unique constraint
     * cannot); SQLite transactions already hold the write lock (`begin immediate`).
     */
    async lockStream(trx: Database, tenantId: string | null): Promise<void> {
      if (dialect !== 'postgres') return;
      const stream = `telvault/audit/${tenantId ?? 'operator'}`;
      await sql`select pg_advisory_xact_lock(${AUDIT_LOCK_CLASS}::int4, hashtext(${stream}))`.execute(
        trx,
      );
    },

    async last(trx: Database, tenantId: string | null): Promise<AuditEventRow | undefined> {
      return trx
        .selectFrom('audit_events')
        .selectAll()
        .where('tenant_id', tenantId === null ? 'is' : '=', tenantId)
        .orderBy('seq', 'desc')
        .limit(1)
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
