// The tables a database holds, with their columns' types and whether a sequence feeds one
// (serial or identity on PostgreSQL, AUTOINCREMENT on SQLite), through Kysely's introspection. On
// PostgreSQL only the connection's current schema counts (the one telvault's tables are made in).
// And the schema versions a database records against the ones this telvault makes.
import { sql } from 'kysely';
import type { Database } from './database.js';
import { dialectOf } from './dialect-of.js';
import { MIGRATIONS } from './migrations/index.js';

/** The schema versions this telvault's migrations make, ascending. */
export const LATEST_VERSIONS: readonly number[] = MIGRATIONS.map((m) => m.version);

/** The versions a database's `schema_migrations` records, ascending (none: empty). */
export async function appliedVersions(db: Database): Promise<number[]> {
  const rows = await db
    .selectFrom('schema_migrations')
    .select('version')
    .orderBy('version')
    .execute();
  return rows.map((r) => r.version);
}

/** The last migration applied (null: none, not a telvault database yet). */
export async function schemaVersion(db: Database): Promise<number | null> {
  return (await appliedVersions(db)).at(-1) ?? null;
}

export interface ColumnInfo {
  name: string;
  /** As the database names it, lower case: `text`, `integer` (SQLite), `int4` (PostgreSQL), … */
  type: string;
  /** A sequence fills it: a copy must set the sequence past the copied values. */
  sequence: boolean;
}

export async function listTables(db: Database): Promise<Map<string, ColumnInfo[]>> {
  let schema: string | undefined;
  if (dialectOf(db) === 'postgres') {
    const r = await sql<{ s: string }>`select current_schema() as s`.execute(db);
    schema = r.rows[0]?.s;
  }
  const tables = await db.introspection.getTables();
  const out = new Map<string, ColumnInfo[]>();
  for (const t of tables) {
    if (t.isView || (schema !== undefined && t.schema !== schema)) continue;
    out.set(
      t.name,
      t.columns.map((c) => ({
        name: c.name,
        type: c.dataType.toLowerCase(),
        sequence: c.isAutoIncrementing,
      })),
    );
  }
  return out;
}
