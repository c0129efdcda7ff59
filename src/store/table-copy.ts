// Every table of a deployment's data, in the order `telvault migrate` copies them, and the generic
// row SQL that copies them: rows read in primary-key order after a cursor (keyset pagination, so a
// batch costs the same at any depth), and inserted as they are, a row already present (same key)
// left alone. Values are copied untouched: text stays text (envelopes, JSON, ISO timestamps),
// integers stay integers; both dialects hold the same portable types (schema.ts), so nothing is
// converted and nothing is decrypted.
import { sql } from 'kysely';
import { TelvaultError } from '../errors.js';
import type { Database } from './database.js';
import type { TableName } from './schema.js';

export type CopiedTable = Exclude<TableName, 'schema_migrations'>;
/** A row as both dialects return it: text, integer or null in every column. */
export type CopyValue = string | number | null;
export type CopyRow = Record<string, CopyValue>;

export interface CopyTable {
  table: CopiedTable;
  /** The primary key's columns: the copy's order and cursor, and its conflict target. */
  key: readonly string[];
}

/**
 * Dependency order: the schema has no foreign keys, but each row here is copied after what it
 * names (tenants before their rows, a trunk before its phones, a job before its record, an
 * idempotency entry before its payload, audit events before the heads that cover them), so a
 * target read mid-copy never holds a row whose parent is missing. `schema_migrations` is not
 * copied: the target's own migrations write it. A new table must be added here (the migrate
 * refuses a source table it does not know, and test/migrate checks this list against the schema).
 */
export const COPY_TABLES: readonly CopyTable[] = [
  { table: 'master_keys', key: ['id'] },
  { table: 'master_key_nodes', key: ['node_id'] },
  { table: 'tenants', key: ['id'] },
  { table: 'tenant_keys', key: ['id'] },
  { table: 'key_usage', key: ['tenant_id', 'kind', 'version'] },
  { table: 'tenant_settings', key: ['tenant_id'] },
  { table: 'api_tokens', key: ['id'] },
  { table: 'credentials', key: ['id'] },
  { table: 'secrets', key: ['id'] },
  { table: 'platform_credentials', key: ['provider'] },
  { table: 'twilio_subaccounts', key: ['tenant_id'] },
  { table: 'sip_trunks', key: ['id'] },
  { table: 'phones', key: ['id'] },
  { table: 'jobs', key: ['id'] },
  { table: 'job_records', key: ['id'] },
  { table: 'call_records', key: ['id'] },
  { table: 'message_records', key: ['id'] },
  { table: 'email_records', key: ['id'] },
  { table: 'idempotency_keys', key: ['id'] },
  { table: 'idempotency_payloads', key: ['id'] },
  { table: 'import_records', key: ['record_key'] },
  { table: 'secret_fingerprints', key: ['table_name', 'record_id', 'field'] },
  { table: 'audit_events', key: ['id'] },
  { table: 'audit_heads', key: ['stream'] },
];

/** Tables of the schema that are not copied: the migrations' own bookkeeping. */
export const NOT_COPIED: readonly string[] = ['schema_migrations'];

const columns = (names: readonly string[]) => sql.join(names.map((c) => sql.ref(c)));

/** The value a column holds, or a refusal naming the table and column (never the value). */
function copyValue(table: string, column: string, v: unknown): CopyValue {
  if (v === null || typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isSafeInteger(v)) return v;
  throw new TelvaultError(
    'ERR_MIGRATE_VALUE',
    `${table}.${column}: holds a ${v instanceof Uint8Array ? 'blob' : typeof v} where the schema has text or integer; nothing of the row was copied`,
  );
}

/** The primary-key values of a row, in the key's column order. */
export function keyOf(spec: CopyTable, row: CopyRow): CopyValue[] {
  return spec.key.map((c) => row[c] ?? null);
}

export async function countRows(db: Database, table: TableName): Promise<number> {
  const r = await sql<{
    n: number | string;
  }>`select count(*) as n from ${sql.table(table)}`.execute(db);
  return Number(r.rows[0]?.n ?? 0);
}

/** Up to `limit` rows after `after` (a key from keyOf; null: from the start), in key order. */
export async function readRowsAfter(
  db: Database,
  spec: CopyTable,
  after: readonly CopyValue[] | null,
  limit: number,
): Promise<CopyRow[]> {
  const where =
    after === null
      ? sql``
      : sql`where (${columns(spec.key)}) > (${sql.join(after.map((v) => sql`${v}`))})`;
  const r = await sql<Record<string, unknown>>`select * from ${sql.table(spec.table)} ${where}
    order by ${columns(spec.key)} limit ${limit}`.execute(db);
  return r.rows.map((row) => {
    const out: CopyRow = {};
    for (const [c, v] of Object.entries(row)) out[c] = copyValue(spec.table, c, v);
    return out;
  });
}

/**
 * Inserts the rows (one statement); a row whose key is already there is left as it is, so a batch
 * replayed after a crash adds nothing twice. Any other constraint still refuses. Returns how many
 * rows were inserted.
 */
export async function insertRowsIfAbsent(
  db: Database,
  spec: CopyTable,
  rows: readonly CopyRow[],
): Promise<number> {
  const first = rows[0];
  if (first === undefined) return 0;
  const names = Object.keys(first);
  const values = rows.map((row) => sql`(${sql.join(names.map((c) => sql`${row[c] ?? null}`))})`);
  const r = await sql`insert into ${sql.table(spec.table)} (${columns(names)})
    values ${sql.join(values)} on conflict (${columns(spec.key)}) do nothing`.execute(db);
  return Number(r.numAffectedRows ?? 0n);
}
