// Generic access to the rows of any table in the encrypted-field registry: the re-encryption job
// reads a tenant's rows in id order and writes each back with compare-and-set, so a concurrent
// write between the read and the write is never overwritten.
import { sql, type RawBuilder } from 'kysely';
import type { Database } from './database.js';
import { dialectOf } from './dialect-of.js';
import { encryptedColumns, type EncryptedTableSpec } from './encrypted-fields.js';

export type EncryptedRow = Record<string, unknown> & { id: string; key_version: number };

function cols(names: readonly string[]): RawBuilder<unknown> {
  return sql.join(names.map((n) => sql.ref(n)));
}

/** A tenant's rows after `afterId` in id order, with their encrypted columns. */
export async function scanEncryptedRows(
  db: Database,
  s: EncryptedTableSpec,
  tenantId: string,
  afterId: string | null,
  limit: number,
): Promise<EncryptedRow[]> {
  const select = ['id', 'key_version', ...encryptedColumns(s)];
  const r = await sql<EncryptedRow>`select ${cols(select)} from ${sql.table(s.table)}
    where tenant_id = ${tenantId} and id > ${afterId ?? ''} order by id limit ${limit}`.execute(db);
  return r.rows.map((row) => ({ ...row, key_version: Number(row.key_version) }));
}

export async function readEncryptedRow(
  db: Database,
  s: EncryptedTableSpec,
  tenantId: string,
  id: string,
): Promise<EncryptedRow | undefined> {
  const select = ['id', 'key_version', ...encryptedColumns(s)];
  const r = await sql<EncryptedRow>`select ${cols(select)} from ${sql.table(s.table)}
    where tenant_id = ${tenantId} and id = ${id}`.execute(db);
  const row = r.rows[0];
  return row === undefined ? undefined : { ...row, key_version: Number(row.key_version) };
}

function equals(column: string, value: unknown): RawBuilder<unknown> {
  return value === null || value === undefined
    ? sql`${sql.ref(column)} is null`
    : sql`${sql.ref(column)} = ${value}`;
}

/**
 * Writes new envelopes and key version to a row only if its key version and every encrypted column
 * still hold what was read; true when written. Does not touch updated_at (the value is unchanged).
 */
export async function compareAndSetEnvelopes(
  db: Database,
  s: EncryptedTableSpec,
  read: EncryptedRow,
  next: { columns: Record<string, string | null>; keyVersion: number },
): Promise<boolean> {
  const sets = [
    sql`key_version = ${next.keyVersion}`,
    ...Object.entries(next.columns).map(([c, v]) => sql`${sql.ref(c)} = ${v}`),
  ];
  if (s.rowVersionColumn !== null) {
    const rv = sql.ref(s.rowVersionColumn);
    sets.push(sql`${rv} = ${rv} + 1`);
  }
  const conds = [
    sql`id = ${read.id}`,
    sql`key_version = ${read.key_version}`,
    ...encryptedColumns(s).map((c) => equals(c, read[c])),
  ];
  const r = await sql`update ${sql.table(s.table)} set ${sql.join(sets)}
    where ${sql.join(conds, sql` and `)}`.execute(db);
  return (r.numAffectedRows ?? 0n) > 0n;
}

/** Rows of a tenant whose key_version is `version` (the final count before retirement). */
export async function countRowsWithKeyVersion(
  db: Database,
  s: EncryptedTableSpec,
  tenantId: string,
  version: number,
): Promise<number> {
  const r = await sql<{ n: string | number }>`select count(*) as n from ${sql.table(s.table)}
    where tenant_id = ${tenantId} and key_version = ${version}`.execute(db);
  return Number(r.rows[0]?.n ?? 0);
}

export async function countTenantRows(
  db: Database,
  s: EncryptedTableSpec,
  tenantId: string,
): Promise<number> {
  const r = await sql<{ n: string | number }>`select count(*) as n from ${sql.table(s.table)}
    where tenant_id = ${tenantId}`.execute(db);
  return Number(r.rows[0]?.n ?? 0);
}

export async function deleteTenantRowsOf(
  db: Database,
  table: string,
  tenantId: string,
): Promise<number> {
  const r = await sql`delete from ${sql.table(table)} where tenant_id = ${tenantId}`.execute(db);
  return Number(r.numAffectedRows ?? 0n);
}

/** Rows of a tenant whose blind index was made with index key `version`. */
export async function countRowsWithIndexVersion(
  db: Database,
  s: EncryptedTableSpec,
  tenantId: string,
  version: number,
): Promise<number> {
  if (s.blindIndex === null) return 0;
  const { column, versionColumn } = s.blindIndex;
  // Blind indexes carry their key version: "bi1.k<version>.n<normalizer>.<mac>".
  const cond =
    versionColumn === null
      ? sql`${sql.ref(column)} like ${`bi1.k${version}.%`}`
      : sql`${sql.ref(versionColumn)} = ${version}`;
  const r = await sql<{ n: string | number }>`select count(*) as n from ${sql.table(s.table)}
    where tenant_id = ${tenantId} and ${sql.ref(column)} is not null and ${cond}`.execute(db);
  return Number(r.rows[0]?.n ?? 0);
}

export interface BlindIndexedRow {
  id: string;
  bidx: string;
  envelope: string;
}

/** A tenant's rows with a blind index after `afterId`, with the envelope of the indexed field. */
export async function scanBlindIndexedRows(
  db: Database,
  s: EncryptedTableSpec,
  tenantId: string,
  afterId: string | null,
  limit: number,
): Promise<BlindIndexedRow[]> {
  if (s.blindIndex === null) return [];
  const field = s.blindIndex.field;
  const column = Object.entries(s.columns).find(([, f]) => f === field)?.[0];
  if (column === undefined) throw new Error(`${s.table}: no column for field ${field}`);
  const r = await sql<BlindIndexedRow>`select id, ${sql.ref(s.blindIndex.column)} as bidx,
    ${sql.ref(column)} as envelope from ${sql.table(s.table)}
    where tenant_id = ${tenantId} and id > ${afterId ?? ''}
      and ${sql.ref(s.blindIndex.column)} is not null
    order by id limit ${limit}`.execute(db);
  return r.rows;
}

/** Replaces a row's blind index if it still holds `expected`; true when written. */
export async function compareAndSetBlindIndex(
  db: Database,
  s: EncryptedTableSpec,
  id: string,
  expected: string,
  next: { value: string; version: number },
): Promise<boolean> {
  if (s.blindIndex === null) return false;
  const col = sql.ref(s.blindIndex.column);
  const sets = [sql`${col} = ${next.value}`];
  if (s.blindIndex.versionColumn !== null) {
    sets.push(sql`${sql.ref(s.blindIndex.versionColumn)} = ${next.version}`);
  }
  const r = await sql`update ${sql.table(s.table)} set ${sql.join(sets)}
    where id = ${id} and ${col} = ${expected}`.execute(db);
  return (r.numAffectedRows ?? 0n) > 0n;
}

export interface EnvelopeWrite {
  read: EncryptedRow;
  columns: Record<string, string | null>;
}

/**
 * compareAndSetEnvelopes for many rows; returns the ids written. On PostgreSQL one UPDATE … FROM
 * (VALUES …) statement per call (a round trip per row dominated re-encryption time); on SQLite,
 * in-process, one statement per row.
 */
export async function compareAndSetEnvelopesMany(
  db: Database,
  s: EncryptedTableSpec,
  writes: readonly EnvelopeWrite[],
  keyVersion: number,
): Promise<Set<string>> {
  const written = new Set<string>();
  if (writes.length === 0) return written;
  if (dialectOf(db) === 'sqlite') {
    for (const w of writes) {
      if (await compareAndSetEnvelopes(db, s, w.read, { columns: w.columns, keyVersion })) {
        written.add(w.read.id);
      }
    }
    return written;
  }
  const enc = encryptedColumns(s);
  const names = ['id', 'ov', ...enc.map((_, i) => `o${i}`), ...enc.map((_, i) => `n${i}`)];
  const text = (v: unknown) => sql`cast(${typeof v === 'string' ? v : null} as text)`;
  const values = writes.map(
    (w) =>
      sql`(${sql.join([
        text(w.read.id),
        sql`cast(${w.read.key_version} as integer)`,
        ...enc.map((c) => text(w.read[c])),
        ...enc.map((c) => text(w.columns[c])),
      ])})`,
  );
  const sets = [
    sql`key_version = ${keyVersion}`,
    ...enc.map((c, i) => sql`${sql.ref(c)} = ${sql.ref(`v.n${i}`)}`),
  ];
  if (s.rowVersionColumn !== null) {
    sets.push(sql`${sql.ref(s.rowVersionColumn)} = ${sql.ref(`t.${s.rowVersionColumn}`)} + 1`);
  }
  // The batch's ids are contiguous in id order: the range lets the planner read just those rows
  // through the primary key instead of scanning the table for every batch.
  const ids = writes.map((w) => w.read.id).sort();
  const conds = [
    sql`t.id >= ${ids[0] ?? ''}`,
    sql`t.id <= ${ids[ids.length - 1] ?? ''}`,
    sql`t.id = v.id`,
    sql`t.key_version = v.ov`,
    ...enc.map((c, i) => sql`${sql.ref(`t.${c}`)} is not distinct from ${sql.ref(`v.o${i}`)}`),
  ];
  const r = await sql<{ id: string }>`update ${sql.table(s.table)} as t set ${sql.join(sets)}
    from (values ${sql.join(values)}) as v (${sql.join(names.map((n) => sql.id(n)))})
    where ${sql.join(conds, sql` and `)} returning t.id`.execute(db);
  for (const row of r.rows) written.add(row.id);
  return written;
}
