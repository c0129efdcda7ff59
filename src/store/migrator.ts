// Versioned migrations, applied at start-up in one transaction. On PostgreSQL the transaction first
// takes an advisory lock, so when several nodes start at once one applies the migrations and the
// others wait, then find them applied and proceed. On SQLite `begin immediate` serialises writers.
import { sql } from 'kysely';
import { TelvaultError } from '../errors.js';
import type { Database, DialectName } from './database.js';
import { MIGRATIONS } from './migrations/index.js';
import { nowIso } from './time.js';

/** Advisory lock key for migrations ("telvault" in ASCII, as a bigint). Do not change. */
const MIGRATION_LOCK_KEY = 0x74656c7661756c74n;

export interface MigrationResult {
  applied: number[];
}

export async function migrateToLatest(
  db: Database,
  dialect: DialectName,
): Promise<MigrationResult> {
  try {
    return await db.transaction().execute(async (trx) => {
      if (dialect === 'postgres') {
        await sql`select pg_advisory_xact_lock(${sql.lit(MIGRATION_LOCK_KEY)})`.execute(trx);
      }
      await trx.schema
        .createTable('schema_migrations')
        .ifNotExists()
        .addColumn('version', 'integer', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('applied_at', 'text', (c) => c.notNull())
        .execute();
      const done = new Set(
        (await trx.selectFrom('schema_migrations').select('version').execute()).map(
          (r) => r.version,
        ),
      );
      const applied: number[] = [];
      for (const m of MIGRATIONS) {
        if (done.has(m.version)) continue;
        await m.up(trx, dialect);
        await trx
          .insertInto('schema_migrations')
          .values({ version: m.version, name: m.name, applied_at: nowIso() })
          .execute();
        applied.push(m.version);
      }
      return { applied };
    });
  } catch (err) {
    if (err instanceof TelvaultError) throw err;
    throw new TelvaultError('ERR_STORE_MIGRATION', 'database migration failed', { cause: err });
  }
}
