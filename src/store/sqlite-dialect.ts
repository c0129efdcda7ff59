// SQLite through better-sqlite3, with write transactions that take the write lock up front.
// Kysely's driver opens transactions with a deferred `begin`: a transaction that reads and then
// writes can then fail with SQLITE_BUSY when another process (the CLI next to a server) wrote in
// between, without waiting. `begin immediate` waits (busy_timeout) for the lock instead.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import {
  CompiledQuery,
  SqliteDialect,
  SqliteDriver,
  type DatabaseConnection,
  type Driver,
  type SqliteDialectConfig,
} from 'kysely';

class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

class ImmediateSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;

  constructor(config: SqliteDialectConfig) {
    super(config);
    this.#config = config;
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#config);
  }
}

export const SQLITE_FILE_NAME = 'telvault.db';

/** The SQLite file path for a data directory. */
export function sqliteFilePath(dataDir: string): string {
  return join(dataDir, SQLITE_FILE_NAME);
}

/** Opens (creating if needed) the SQLite file under `dataDir`, in WAL mode. */
export function createSqliteDialect(dataDir: string): {
  dialect: SqliteDialect;
  raw: SqliteDatabase.Database;
} {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const raw = new SqliteDatabase(sqliteFilePath(dataDir));
  raw.pragma('journal_mode = WAL');
  // WAL with synchronous=NORMAL survives a process crash (SIGKILL) without losing commits.
  raw.pragma('synchronous = NORMAL');
  raw.pragma('busy_timeout = 15000');
  return { dialect: new ImmediateSqliteDialect({ database: raw }), raw };
}
