// Row access for the one encrypted-record write path (services/records): find a row of any table in
// the encrypted-field registry by its natural key, insert it, update it under conditions, delete
// it. The SQL is generic over the registry's tables, so each new table gets it without a copy.
import { sql, type RawBuilder } from 'kysely';
import type { Database } from './database.js';
import { dialectOf } from './dialect-of.js';
import type { EncryptedTableName } from './encrypted-fields.js';

/** A column value as the store holds it. */
export type ColumnValue = string | number | null;

/** A row of an encrypted table: every column, as read. */
export type StoredRow = Readonly<Record<string, unknown>> & {
  id: string;
  tenant_id: string;
  key_version: number;
};

const equals = (column: string, value: ColumnValue): RawBuilder<unknown> =>
  value === null ? sql`${sql.ref(column)} is null` : sql`${sql.ref(column)} = ${value}`;

function whereAll(conds: Readonly<Record<string, ColumnValue>>): RawBuilder<unknown> {
  return sql.join(
    Object.entries(conds).map(([c, v]) => equals(c, v)),
    sql` and `,
  );
}

/**
 * The tenant's row matching `key` (its natural key: `{ provider }`, `{ name }` or `{ id }`).
 * `lock`: inside a write transaction on PostgreSQL, hold the row until commit (SQLite's write
 * transaction already excludes every other writer).
 */
export async function findRecordRow(
  db: Database,
  table: EncryptedTableName,
  tenantId: string,
  key: Readonly<Record<string, ColumnValue>>,
  lock = false,
): Promise<StoredRow | undefined> {
  const forUpdate = lock && dialectOf(db) === 'postgres' ? sql` for update` : sql``;
  const r = await sql<StoredRow>`select * from ${sql.table(table)}
    where ${whereAll({ tenant_id: tenantId, ...key })}${forUpdate}`.execute(db);
  const row = r.rows[0];
  return row === undefined ? undefined : { ...row, key_version: Number(row.key_version) };
}

/** The tenant's rows whose `column` holds one of `values` (a blind index under its candidates). */
export async function findRecordRowsIn(
  db: Database,
  table: EncryptedTableName,
  tenantId: string,
  column: string,
  values: readonly string[],
): Promise<StoredRow[]> {
  if (values.length === 0) return [];
  const r = await sql<StoredRow>`select * from ${sql.table(table)}
    where tenant_id = ${tenantId} and ${sql.ref(column)} in (${sql.join([...values])})
    order by id`.execute(db);
  return r.rows.map((row) => ({ ...row, key_version: Number(row.key_version) }));
}

export interface RecordPageQuery {
  /** Rows with an id after this one (the previous page's last). */
  after?: string | undefined;
  limit: number;
  /** Columns that must hold these values. */
  where?: Readonly<Record<string, ColumnValue>>;
  /** A column whose text must contain this text (matched literally, no wildcards). */
  contains?: { column: string; text: string } | undefined;
}

const escapeLike = (text: string): string => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/** One page of a tenant's rows in id order. */
export async function pageRecordRows(
  db: Database,
  table: EncryptedTableName,
  tenantId: string,
  q: RecordPageQuery,
): Promise<StoredRow[]> {
  const conds = [whereAll({ tenant_id: tenantId, ...q.where })];
  if (q.after !== undefined) conds.push(sql`id > ${q.after}`);
  if (q.contains !== undefined) {
    const pattern = `%${escapeLike(q.contains.text)}%`;
    conds.push(sql`${sql.ref(q.contains.column)} like ${pattern} escape '\\'`);
  }
  const r = await sql<StoredRow>`select * from ${sql.table(table)}
    where ${sql.join(conds, sql` and `)} order by id limit ${q.limit}`.execute(db);
  return r.rows.map((row) => ({ ...row, key_version: Number(row.key_version) }));
}

/** A tenant's rows in `orderBy` order (a list view). */
export async function listRecordRows(
  db: Database,
  table: EncryptedTableName,
  tenantId: string,
  orderBy: string,
): Promise<StoredRow[]> {
  const r = await sql<StoredRow>`select * from ${sql.table(table)}
    where tenant_id = ${tenantId} order by ${sql.ref(orderBy)}, id`.execute(db);
  return r.rows.map((row) => ({ ...row, key_version: Number(row.key_version) }));
}

export async function insertRecordRow(
  db: Database,
  table: EncryptedTableName,
  values: Readonly<Record<string, ColumnValue>>,
): Promise<void> {
  const cols = Object.keys(values);
  await sql`insert into ${sql.table(table)} (${sql.join(cols.map((c) => sql.ref(c)))})
    values (${sql.join(cols.map((c) => values[c] ?? null))})`.execute(db);
}

/**
 * Sets `values` on row `id` only where every column of `expect` still holds its value (and, with
 * `bump`, increments that row-version column); true when the row was written.
 */
export async function updateRecordRow(
  db: Database,
  table: EncryptedTableName,
  id: string,
  values: Readonly<Record<string, ColumnValue>>,
  expect: Readonly<Record<string, ColumnValue>>,
  bump: string | null,
): Promise<boolean> {
  const sets = Object.entries(values).map(([c, v]) => sql`${sql.ref(c)} = ${v}`);
  if (bump !== null) sets.push(sql`${sql.ref(bump)} = ${sql.ref(bump)} + 1`);
  const r = await sql`update ${sql.table(table)} set ${sql.join(sets)}
    where ${whereAll({ id, ...expect })}`.execute(db);
  return (r.numAffectedRows ?? 0n) > 0n;
}

export async function deleteRecordRow(
  db: Database,
  table: EncryptedTableName,
  id: string,
): Promise<void> {
  await sql`delete from ${sql.table(table)} where id = ${id}`.execute(db);
}
