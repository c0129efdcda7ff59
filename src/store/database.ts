// Opens the one database telvault uses: an embedded SQLite file by default, PostgreSQL when a
// postgres:// URL is configured. Both go through the same Kysely query builder and schema, and
// migrations are applied before the handle is returned.
import { Kysely, PostgresDialect, type Transaction } from 'kysely';
import pg from 'pg';
import { createSqliteDialect } from './sqlite-dialect.js';
import { migrateToLatest } from './migrator.js';
import type { Schema } from './schema.js';

export type {
  Schema,
  TableName,
  KeyKind,
  KeyState,
  JobState,
  TenantsTable,
  TenantKeysTable,
  KeyUsageTable,
  ApiTokensTable,
  CredentialsTable,
  SecretsTable,
  PhonesTable,
  TenantSettingsTable,
  SipTrunksTable,
  CommRecordsTable,
  AuditEventsTable,
  AuditHeadsTable,
  JobsTable,
  MasterKeyState,
  MasterKeysTable,
  MasterKeyNodesTable,
  PlatformCredentialsTable,
  TwilioSubaccountsTable,
} from './schema.js';

/** The typed query builder over the schema (a transaction is one too). */
export type Database = Kysely<Schema>;
/** A transaction over the schema; pass it down so every write of one use case commits together. */
export type DatabaseTransaction = Transaction<Schema>;
export type DialectName = 'sqlite' | 'postgres';

export interface OpenDatabaseInput {
  /** postgres://… to use PostgreSQL; unset for the SQLite file under `dataDir`. */
  databaseUrl?: string | undefined;
  dataDir: string;
  /** Apply pending migrations before returning (default true). */
  migrate?: boolean;
  /** PostgreSQL pool size (default 10). */
  poolMax?: number;
}

export interface OpenedDatabase {
  db: Database;
  dialect: DialectName;
  /** The PostgreSQL pool under `db` (PostgreSQL only), for what shares its connections (limits). */
  pool?: pg.Pool;
  close: () => Promise<void>;
}

export async function openDatabase(input: OpenDatabaseInput): Promise<OpenedDatabase> {
  let opened: OpenedDatabase;
  if (input.databaseUrl !== undefined && input.databaseUrl !== '') {
    const pool = new pg.Pool({ connectionString: input.databaseUrl, max: input.poolMax ?? 10 });
    // An idle pooled connection can fail on its own (server restart, failover, admin terminate):
    // the pool drops it and the next query opens a new one. Without a listener, Node would turn
    // that 'error' event into a crash of the whole process.
    pool.on('error', () => {});
    const db = new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) });
    opened = { db, dialect: 'postgres', pool, close: () => db.destroy() };
  } else {
    const { dialect } = createSqliteDialect(input.dataDir);
    const db = new Kysely<Schema>({ dialect });
    opened = { db, dialect: 'sqlite', close: () => db.destroy() };
  }
  if (input.migrate !== false) {
    try {
      await migrateToLatest(opened.db, opened.dialect);
    } catch (err) {
      await opened.close();
      throw err;
    }
  }
  return opened;
}
