// Row counts per table and the schema version, for what checks a whole database (backup, restore,
// `telvault backup --verify`).
import { sql } from 'kysely';
import type { Database, TableName } from './database.js';

export async function countRows(db: Database, table: TableName): Promise<number> {
  const r = await sql<{
    n: number | string;
  }>`select count(*) as n from ${sql.table(table)}`.execute(db);
  return Number(r.rows[0]?.n ?? 0);
}

/** The last migration applied (null: none, not a telvault database yet). */
export async function schemaVersion(db: Database): Promise<number | null> {
  const r = await db
    .selectFrom('schema_migrations')
    .select((eb) => eb.fn.max('version').as('v'))
    .executeTakeFirst();
  return r?.v ?? null;
}
