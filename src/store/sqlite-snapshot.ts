// One consistent read of a SQLite deployment: a connection of its own, one read transaction for
// everything `fn` reads. SQLite in WAL mode gives a read transaction a snapshot taken at its first
// read, kept until it ends, while writers (a server that should have been stopped, say) go on
// without waiting for it and without being seen. The transaction starts deferred (`begin`, not the
// `begin immediate` of the app's writes), so it takes no write lock; nothing here writes.
import { existsSync } from 'node:fs';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { Database } from './database.js';
import type { Schema } from './schema.js';
import { sqliteFilePath } from './sqlite-dialect.js';

/** Whether the data directory holds a SQLite database (without creating one). */
export function sqliteFileExists(dataDir: string): boolean {
  return existsSync(sqliteFilePath(dataDir));
}

export async function withSqliteSnapshot<T>(
  dataDir: string,
  fn: (snapshot: Database) => Promise<T>,
): Promise<T> {
  const raw = new SqliteDatabase(sqliteFilePath(dataDir), { fileMustExist: true });
  raw.pragma('busy_timeout = 15000');
  const db = new Kysely<Schema>({ dialect: new SqliteDialect({ database: raw }) });
  try {
    return await db.transaction().execute(fn);
  } finally {
    await db.destroy();
  }
}
