// The target of `telvault migrate`: a PostgreSQL URL (checked and shown without its password), and
// the rule for what it may hold. A target is accepted when it is empty (no telvault table with a
// row, its schema absent or at this telvault's version, made then by the normal migrations), or
// when it holds this same source's unfinished migration (its progress table names the same source
// fingerprint): the re-run continues it. Anything else is refused before the target is written.
import { sql } from 'kysely';
import { TelvaultError } from '../../errors.js';
import { openDatabase, type Database, type OpenedDatabase } from '../../store/database.js';
import {
  listMigrateProgress,
  MIGRATE_PROGRESS_TABLE,
  startMigrateProgress,
} from '../../store/migrate-progress-repo.js';
import { migrateToLatest } from '../../store/migrator.js';
import { COPY_TABLES, countRows } from '../../store/table-copy.js';
import { appliedVersions, LATEST_VERSIONS, listTables } from '../../store/table-introspection.js';
import './errors.js';

export interface TargetUrl {
  url: string;
  /** `postgres://user@host:port/database`: the URL without its password, for output. */
  shown: string;
}

const URL_RULE =
  '--to: must be a postgres:// URL naming a database (postgres://user[:password]@host[:port]/database)';

/** Parses `--to`; the error never repeats the value (it may hold a password). */
export function parseTargetUrl(text: string): TargetUrl {
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw new TelvaultError('ERR_MIGRATE_TARGET_INVALID', URL_RULE);
  }
  const database = decodeURIComponent(u.pathname.replace(/^\//, ''));
  if (!/^postgres(ql)?:$/.test(u.protocol) || u.hostname === '' || database === '') {
    throw new TelvaultError('ERR_MIGRATE_TARGET_INVALID', URL_RULE);
  }
  const user = u.username === '' ? '' : `${decodeURIComponent(u.username)}@`;
  const port = u.port === '' ? '' : `:${u.port}`;
  return { url: text, shown: `postgres://${user}${u.hostname}${port}/${database}` };
}

/** Connects to the target (without migrating it); a failure names `--to` and the reason. */
export async function openTarget(target: TargetUrl): Promise<OpenedDatabase> {
  const opened = await openDatabase({
    databaseUrl: target.url,
    dataDir: '',
    migrate: false,
    poolMax: 2,
  });
  try {
    await sql`select 1`.execute(opened.db);
    return opened;
  } catch (err) {
    await opened.close();
    const why = err instanceof Error ? err.message : 'unknown error';
    throw new TelvaultError(
      'ERR_MIGRATE_TARGET_INVALID',
      `--to: cannot use ${target.shown}: ${why}`,
      { cause: err },
    );
  }
}

function notEmpty(message: string): TelvaultError {
  return new TelvaultError(
    'ERR_MIGRATE_TARGET_NOT_EMPTY',
    `--to: ${message}; nothing was written: migrate into an empty database`,
  );
}

async function checkVersions(db: Database): Promise<void> {
  const versions = await appliedVersions(db);
  if (versions.join(',') === LATEST_VERSIONS.join(',')) return;
  const at = versions.length === 0 ? 'none' : String(versions[versions.length - 1]);
  throw notEmpty(
    `the target's schema is at another version (${at}, migrations ${versions.join(',') || 'none'}) than this telvault's (${LATEST_VERSIONS[LATEST_VERSIONS.length - 1]})`,
  );
}

/**
 * Checks the target and readies it: the schema made by the normal migrations and the progress
 * rows written, for a fresh copy; nothing, for this source's unfinished one. Refuses otherwise.
 */
export async function prepareTarget(db: Database, source: string): Promise<'fresh' | 'resumed'> {
  const tables = await listTables(db);
  if (tables.has(MIGRATE_PROGRESS_TABLE)) {
    const progress = await listMigrateProgress(db);
    if (progress.length === 0 || progress.some((p) => p.source !== source)) {
      throw notEmpty(
        'the target holds a migration from another source, or from this one before it changed (drop and recreate the target database to start again)',
      );
    }
    await checkVersions(db);
    return 'resumed';
  }
  if (tables.has('schema_migrations')) {
    await checkVersions(db);
    const full: string[] = [];
    for (const { table } of COPY_TABLES) {
      if (tables.has(table) && (await countRows(db, table)) > 0) full.push(table);
    }
    if (full.length > 0) throw notEmpty(`the target holds telvault rows (in ${full.join(', ')})`);
  } else {
    const clash = [...COPY_TABLES.map((t) => t.table), 'rate_limits'].filter((t) => tables.has(t));
    if (clash.length > 0)
      throw notEmpty(`the target has tables named like telvault's (${clash.join(', ')})`);
  }
  await migrateToLatest(db, 'postgres');
  await db.transaction().execute(async (trx) => {
    await startMigrateProgress(
      trx,
      source,
      COPY_TABLES.map((t) => t.table),
    );
    // Another source's run that started at the same moment wrote its rows first: not ours.
    if ((await listMigrateProgress(trx)).some((p) => p.source !== source))
      throw notEmpty('another migration started into the target at the same time');
  });
  return 'fresh';
}
