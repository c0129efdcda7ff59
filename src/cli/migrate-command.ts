// `telvault migrate --to postgres://… [--batch-size N] [--json]`: the configured SQLite deployment
// (TELVAULT_DATA_DIR) copied into an empty PostgreSQL database and checked (row counts, keyed
// digests, audit chains). Interrupted, the same command resumes. Progress goes to stderr (a bar on
// a terminal), the report to stdout; the exit code is 0 when every check passed, 1 otherwise. The
// target's password is never printed: keep it out of the command line with PGPASSWORD.
import type { Command } from 'commander';
import { loadConfig } from '../config.js';
import {
  DEFAULT_MIGRATE_BATCH,
  MAX_MIGRATE_BATCH,
  migrateToPostgres,
  type MigrateProgress,
  type MigrateReport,
} from '../services/migrate/index.js';
import { applyDevKeyFiles } from './dev-key-files.js';
import type { CliIo } from './io.js';
import { progressReporter, type Reporter } from './progress.js';

interface MigrateOptions {
  to: string;
  batchSize?: string;
  json?: boolean;
}

/** A bar (or lines) per phase: the copy, then the check. */
function phaseProgress(io: CliIo): { update: (p: MigrateProgress) => void; stop: () => void } {
  let phase: MigrateProgress['phase'] | undefined;
  let reporter: Reporter | undefined;
  return {
    update(p) {
      if (p.phase !== phase) {
        reporter?.stop();
        phase = p.phase;
        const label = p.phase === 'copy' ? 'migrate: copy rows' : 'migrate: check rows';
        reporter = progressReporter(io, label, { stderr: true });
      }
      reporter?.update(p);
    },
    stop: () => reporter?.stop(),
  };
}

const pad = (s: string | number, n: number) => String(s).padStart(n);

function printReport(io: CliIo, r: MigrateReport): void {
  const from = r.run === 'resumed' ? `, going on after ${r.copiedBefore} rows` : '';
  io.write(`migrate: ${r.source} -> ${r.target} (${r.run} run${from})\n`);
  io.write(
    `${'table'.padEnd(22)}${pad('source', 9)}${pad('target', 9)}${pad('copied', 9)}  digest\n`,
  );
  for (const t of r.tables) {
    const digest = t.digestMatch ? 'match' : 'DIFFERS';
    io.write(
      `${t.table.padEnd(22)}${pad(t.sourceRows, 9)}${pad(t.targetRows, 9)}${pad(t.inserted, 9)}  ${digest}\n`,
    );
  }
  if (r.audit === null) io.write('audit: no audit key in the source (it never ran): no chain\n');
  else
    io.write(
      `audit: ${r.audit.events} events in ${r.audit.streams} streams on the target: ${r.audit.targetOk ? 'chain intact' : 'chain BROKEN'}\n`,
    );
  for (const p of r.problems) io.write(`MISMATCH ${p}\n`);
  io.write(
    `${r.inserted} of ${r.rows} rows copied by this run in ${r.seconds.toFixed(1)} s (${r.rowsPerSecond} rows/s)\n`,
  );
  if (r.ok) {
    io.write(
      'every table and audit chain matches: set TELVAULT_DATABASE_URL to the target and start telvault on it (docs/operations.md)\n',
    );
  }
}

async function runMigrate(io: CliIo, opts: MigrateOptions): Promise<void> {
  const config = loadConfig(process.env);
  applyDevKeyFiles(config);
  const progress = phaseProgress(io);
  let report: MigrateReport;
  try {
    report = await migrateToPostgres({
      config,
      to: opts.to,
      batchSize: opts.batchSize === undefined ? undefined : Number(opts.batchSize),
      onProgress: (p) => progress.update(p),
    });
  } finally {
    progress.stop();
  }
  if (opts.json === true) io.write(`${JSON.stringify(report, null, 2)}\n`);
  else printReport(io, report);
  if (!report.ok) {
    throw new Error(
      `${report.problems.length} check(s) failed after the copy (above); the target keeps what was copied: drop and recreate it, then migrate again`,
    );
  }
}

export function registerMigrateCommand(program: Command, io: CliIo): void {
  program
    .command('migrate')
    .description(
      'copy this SQLite deployment (TELVAULT_DATA_DIR) into an empty PostgreSQL database and check the copy; stop telvault first; run again to resume (docs/operations.md)',
    )
    .requiredOption(
      '--to <url>',
      'the target database, postgres://user@host:port/database (the password from PGPASSWORD)',
    )
    .option(
      '--batch-size <rows>',
      `rows per transaction, 1 to ${MAX_MIGRATE_BATCH} (default ${DEFAULT_MIGRATE_BATCH})`,
    )
    .option('--json', 'print the report as JSON')
    .action((opts: MigrateOptions) => runMigrate(io, opts));
}
