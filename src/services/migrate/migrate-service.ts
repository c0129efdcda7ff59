// `telvault migrate --to postgres://…`: the configured SQLite deployment copied into an empty
// PostgreSQL database, then checked. In order: the target URL and the source are checked (SQLite,
// present, migrated to this telvault's schema), then inside one read snapshot of the source: its
// schema, that no node serves it, that the configured master keys open its keys; the target is
// checked (empty, or this source's unfinished copy) and given the schema; the tables are copied
// (migrate-copy.ts) and compared (migrate-verify.ts). Envelopes are copied as they are.
import type { TelvaultConfig } from '../../config.js';
import { TelvaultError } from '../../errors.js';
import { openDatabase } from '../../store/database.js';
import { sqliteFilePath } from '../../store/sqlite-dialect.js';
import { sqliteFileExists, withSqliteSnapshot } from '../../store/sqlite-snapshot.js';
import { loadMasterKeys } from '../keys/master-keys.js';
import { copyTables } from './migrate-copy.js';
import { inspectSource } from './migrate-source.js';
import { openTarget, parseTargetUrl, prepareTarget } from './migrate-target.js';
import { verifyCopy, type AuditCheck, type TableCheck } from './migrate-verify.js';
import './errors.js';

export const DEFAULT_MIGRATE_BATCH = 500;
/** At most 1000 rows a batch: 25 columns × 1000 stays well under PostgreSQL's 65 535 parameters. */
export const MAX_MIGRATE_BATCH = 1000;

export interface MigrateProgress {
  phase: 'copy' | 'verify';
  done: number;
  total: number;
}

export interface MigrateInput {
  /** The configuration naming the source: its SQLite data directory and master keys. */
  config: TelvaultConfig;
  /** The target's postgres:// URL. */
  to: string;
  batchSize?: number | undefined;
  onProgress?: ((p: MigrateProgress) => void) | undefined;
}

export interface MigrateTableReport extends TableCheck {
  /** Rows this run inserted (0 for a table an earlier run copied). */
  inserted: number;
}

export interface MigrateReport {
  /** The SQLite file copied. */
  source: string;
  /** The target URL without its password. */
  target: string;
  run: 'fresh' | 'resumed';
  /** Rows earlier runs had copied: where this run went on from. */
  copiedBefore: number;
  tables: MigrateTableReport[];
  rows: number;
  inserted: number;
  audit: AuditCheck | null;
  seconds: number;
  rowsPerSecond: number;
  ok: boolean;
  /** What did not match, by table or stream (no values). */
  problems: string[];
}

function checkBatch(n: number | undefined): number {
  const v = n ?? DEFAULT_MIGRATE_BATCH;
  if (!Number.isInteger(v) || v < 1 || v > MAX_MIGRATE_BATCH) {
    throw new TelvaultError(
      'ERR_VALIDATION',
      `--batch-size: must be an integer from 1 to ${MAX_MIGRATE_BATCH}`,
    );
  }
  return v;
}

function checkSourceConfig(config: TelvaultConfig): string {
  if (config.databaseUrl !== undefined && config.databaseUrl !== '') {
    throw new TelvaultError(
      'ERR_MIGRATE_SOURCE_INVALID',
      'the configured database is PostgreSQL (TELVAULT_DATABASE_URL is set): migrate copies a SQLite deployment; unset TELVAULT_DATABASE_URL and name the source with TELVAULT_DATA_DIR',
    );
  }
  const file = sqliteFilePath(config.dataDir);
  if (!sqliteFileExists(config.dataDir)) {
    throw new TelvaultError(
      'ERR_MIGRATE_SOURCE_INVALID',
      `no SQLite database at ${file}: set TELVAULT_DATA_DIR to the deployment's data directory`,
    );
  }
  return file;
}

function problemsOf(tables: readonly TableCheck[], audit: AuditCheck | null): string[] {
  const out: string[] = [];
  for (const t of tables) {
    if (t.sourceRows !== t.targetRows)
      out.push(`${t.table}: ${t.sourceRows} rows in the source, ${t.targetRows} in the target`);
    else if (!t.digestMatch) out.push(`${t.table}: the rows differ (keyed digest)`);
  }
  if (audit !== null && !audit.targetOk) {
    const before = audit.sourceOk ? '' : ' (broken in the source already)';
    out.push(...audit.problems.map((p) => `audit ${p}${before}`));
  }
  return out;
}

export async function migrateToPostgres(input: MigrateInput): Promise<MigrateReport> {
  const started = Date.now();
  const target = parseTargetUrl(input.to);
  const batchSize = checkBatch(input.batchSize);
  const file = checkSourceConfig(input.config);
  const masterKeys = loadMasterKeys(input.config);
  // Opened as every command opens it, so a source an older telvault wrote gets this one's schema.
  await (await openDatabase({ dataDir: input.config.dataDir })).close();
  const opened = await openTarget(target);
  try {
    return await withSqliteSnapshot(input.config.dataDir, async (src) => {
      const source = await inspectSource(src, masterKeys);
      const run = await prepareTarget(opened.db, source.fingerprint);
      const total = [...source.counts.values()].reduce((a, b) => a + b, 0);
      const report = (phase: MigrateProgress['phase'], done: number) =>
        input.onProgress?.({ phase, done, total: phase === 'copy' ? total : 2 * total });
      const copied = await copyTables(src, opened.db, total, {
        batchSize,
        onProgress: (p) => report('copy', p.done),
      });
      let digested = 0;
      const checked = await verifyCopy(src, opened.db, source.macs, {
        batchSize: MAX_MIGRATE_BATCH,
        onRows: (n) => report('verify', (digested += n)),
      });
      const tables = checked.tables.map((t) => ({
        ...t,
        inserted: copied.inserted.get(t.table) ?? 0,
      }));
      const problems = problemsOf(checked.tables, checked.audit);
      const seconds = (Date.now() - started) / 1000;
      const inserted = tables.reduce((a, t) => a + t.inserted, 0);
      return {
        source: file,
        target: target.shown,
        run,
        copiedBefore: copied.copiedBefore,
        tables,
        rows: total,
        inserted,
        audit: checked.audit,
        seconds,
        rowsPerSecond: Math.round(inserted / Math.max(seconds, 0.001)),
        ok: problems.length === 0,
        problems,
      };
    });
  } finally {
    await opened.close();
  }
}
