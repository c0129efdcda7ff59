// audit_heads: one row per audit stream, its last seq and hash, MAC'd (see schema.ts). Appends
// lock the row (PostgreSQL: SELECT … FOR UPDATE; SQLite transactions hold the write lock), so two
// nodes appending to one stream serialise on it.
import { sql } from 'kysely';
import type { AuditHeadsTable, Database } from './database.js';
import { dialectOf } from './dialect-of.js';

export type AuditHeadRow = AuditHeadsTable;

/** The stream key of the operator stream (tenant ids are UUIDs, never this). Do not change. */
export const OPERATOR_STREAM = 'operator';

/** Advisory lock class for audit streams on PostgreSQL ("tvau"). Do not change. */
const AUDIT_LOCK_CLASS = 0x74766175;

export const streamOf = (tenantId: string | null): string => tenantId ?? OPERATOR_STREAM;
export const tenantOfStream = (stream: string): string | null =>
  stream === OPERATOR_STREAM ? null : stream;

/** A stream's head; with `lock`, locked until the transaction ends (PostgreSQL). */
export async function findAuditHead(
  db: Database,
  stream: string,
  lock = false,
): Promise<AuditHeadRow | undefined> {
  let q = db.selectFrom('audit_heads').selectAll().where('stream', '=', stream);
  if (lock && dialectOf(db) === 'postgres') q = q.forUpdate();
  return q.executeTakeFirst();
}

export async function insertAuditHead(db: Database, row: AuditHeadRow): Promise<void> {
  await db.insertInto('audit_heads').values(row).execute();
}

/** Moves a head on from `fromSeq` (compare-and-set); true if it moved. */
export async function advanceAuditHead(
  db: Database,
  stream: string,
  fromSeq: number,
  next: Pick<AuditHeadRow, 'seq' | 'hash' | 'mac' | 'updated_at'>,
): Promise<boolean> {
  const r = await db
    .updateTable('audit_heads')
    .set(next)
    .where('stream', '=', stream)
    .where('seq', '=', fromSeq)
    .executeTakeFirst();
  return r.numUpdatedRows > 0n;
}

/** Every head, by stream: one statement, so a consistent snapshot of all of them. */
export async function listAuditHeads(db: Database): Promise<AuditHeadRow[]> {
  return db.selectFrom('audit_heads').selectAll().orderBy('stream').execute();
}

export async function countAuditHeads(db: Database): Promise<number> {
  const r = await db
    .selectFrom('audit_heads')
    .select((eb) => eb.fn.countAll<string | number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/**
 * Serialises the one-time closing of the plain chains across nodes (a transaction-scoped advisory
 * lock on PostgreSQL; SQLite transactions already hold the write lock).
 */
export async function lockAuditClosing(trx: Database): Promise<void> {
  if (dialectOf(trx) !== 'postgres') return;
  await sql`select pg_advisory_xact_lock(${AUDIT_LOCK_CLASS}::int4, hashtext(${'telvault/audit/closing'}))`.execute(
    trx,
  );
}
