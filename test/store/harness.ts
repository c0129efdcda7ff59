// Test support for the store suite: a fresh database of either dialect per test file, and fixed
// master keys. PostgreSQL databases are throw-away (test/support/postgres.ts).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { parseMasterKey, type MasterKey } from '../../src/crypto/index.js';
import { openDatabase, type Database, type DialectName } from '../../src/store/database.js';
import { createTestDatabase } from '../support/postgres.js';

export const DIALECTS: readonly DialectName[] = ['sqlite', 'postgres'];

export interface TestStore {
  db: Database;
  dialect: DialectName;
  dataDir: string;
  /** postgres:// URL (PostgreSQL only). */
  url: string | undefined;
  pgName: string | undefined;
  /** A second handle on the same database (another "node"; the same handle on SQLite). */
  openAnother(): Promise<{ db: Database; close: () => Promise<void> }>;
  /** Closes every handle and drops the database or directory. */
  close(): Promise<void>;
}

export async function openTestStore(dialect: DialectName, prefix: string): Promise<TestStore> {
  const dataDir = mkdtempSync(join(tmpdir(), `tv-${prefix}-`));
  const pgdb = dialect === 'postgres' ? await createTestDatabase(prefix) : undefined;
  const opened = await openDatabase({ dataDir, databaseUrl: pgdb?.url, poolMax: 4 });
  const others: Array<() => Promise<void>> = [];
  return {
    db: opened.db,
    dialect,
    dataDir,
    url: pgdb?.url,
    pgName: pgdb?.name,
    async openAnother() {
      // better-sqlite3 is synchronous: a second connection in the same process waiting on the
      // file lock (busy_timeout) would block the thread holding it. Other SQLite "nodes" in one
      // process share the handle; separate processes (the crash test) get their own.
      if (dialect === 'sqlite') return { db: opened.db, close: () => Promise.resolve() };
      const o = await openDatabase({ dataDir, databaseUrl: pgdb?.url, poolMax: 4 });
      others.push(o.close);
      return { db: o.db, close: o.close };
    },
    async close() {
      for (const c of others) await c().catch(() => {});
      await opened.close();
      await pgdb?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export function randomMasterKey(): MasterKey {
  return parseMasterKey(randomBytes(32).toString('base64'));
}
