// `telvault backup --verify`: the whole-database check (database-check.ts) of the configured
// database, SQLite or PostgreSQL, typically one just restored with `pg_restore` or `restore`.
import { existsSync } from 'node:fs';
import { TelvaultError } from '../../errors.js';
import { openDatabase } from '../../store/database.js';
import { sqliteFilePath } from '../../store/sqlite-dialect.js';
import type { MasterKeys } from '../keys/master-keys.js';
import { checkDatabase, type DatabaseCheck } from './database-check.js';
import './errors.js';

export interface VerifyDatabaseInput {
  databaseUrl: string | undefined;
  dataDir: string;
  masterKeys: MasterKeys;
  /** A line `telvault audit head` printed before the backup (or dump) was taken. */
  headLine?: string | undefined;
}

export async function verifyDatabase(input: VerifyDatabaseInput): Promise<DatabaseCheck> {
  const onSqlite = input.databaseUrl === undefined || input.databaseUrl === '';
  if (onSqlite && !existsSync(sqliteFilePath(input.dataDir))) {
    throw new TelvaultError(
      'ERR_BACKUP_SOURCE_MISSING',
      `no telvault database at ${sqliteFilePath(input.dataDir)} (TELVAULT_DATA_DIR): nothing to verify`,
    );
  }
  const opened = await openDatabase({ databaseUrl: input.databaseUrl, dataDir: input.dataDir });
  try {
    return await checkDatabase(opened.db, input.masterKeys, { headLine: input.headLine });
  } finally {
    await opened.close();
  }
}
