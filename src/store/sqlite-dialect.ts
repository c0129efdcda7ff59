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
  type SqliteDatabase as KyselySqliteDatabase,
  type SqliteDialectConfig,
  type SqliteStatement,
} from 'kysely';

/** How many distinct SQL texts keep a prepared statement (the app has a few hundred at most). */
const STATEMENT_CACHE_SIZE = 500;

/**
 * Kysely's driver prepares every query anew; preparing was ~15% of a simple request's CPU. This
 * keeps prepared statements by SQL text (LRU by insertion order, refreshed on use). `iterate`
 * (streaming) prepares its own statement, since a statement still being iterated cannot run
 * again; SQLite re-prepares a cached statement by itself after a schema change.
 */
function withStatementCache(raw: SqliteDatabase.Database): KyselySqliteDatabase {
  const cache = new Map<string, SqliteDatabase.Statement>();
  const statementFor = (sql: string): SqliteDatabase.Statement => {
    let statement = cache.get(sql);
    if (statement === undefined) {
      statement = raw.prepare(sql);
      if (cache.size >= STATEMENT_CACHE_SIZE) {
        const oldest = cache.keys().next();
        if (oldest.done !== true) cache.delete(oldest.value);
      }
    } else {
      cache.delete(sql);
    }
    cache.set(sql, statement);
    return statement;
  };
  return {
    close: () => {
      cache.clear();
      raw.close();
    },
    prepare: (sql: string): SqliteStatement => {
      const statement = statementFor(sql);
      return {
        reader: statement.reader,
        all: (parameters) => statement.all(...parameters),
        run: (parameters) => statement.run(...parameters),
        iterate: (parameters) => raw.prepare(sql).iterate(...parameters),
      };
    },
  };
}

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
  return { dialect: new ImmediateSqliteDialect({ database: withStatementCache(raw) }), raw };
}
