// `telvault backup FILE [--force]`: an online backup of the SQLite database with its manifest
// (FILE.json); `telvault backup --verify [--head FILE]`: checks the configured database (SQLite or
// PostgreSQL, e.g. after pg_restore); `telvault restore FILE [--force]`: puts a backup in place and
// checks it. See services/backup/ and docs/operations.md ("Backups").
import type { Command } from 'commander';
import { loadConfig, type TelvaultConfig } from '../config.js';
import { TelvaultError } from '../errors.js';
import {
  createBackup,
  refuseFileBackupOfPostgres,
  restoreBackup,
  verifyDatabase,
  type BackupView,
  type DatabaseCheck,
} from '../services/backup/index.js';
import { loadMasterKeys } from '../services/keys/index.js';
import { readHeadFile } from './audit-command.js';
import { applyDevKeyFiles } from './dev-key-files.js';
import type { CliIo } from './io.js';
import { interruptible } from './keys-command.js';
import { progressReporter } from './progress.js';

/** The configuration, with a `telvault dev` data directory's key files as other commands use them. */
function operatorConfig(): TelvaultConfig {
  const config = loadConfig(process.env);
  applyDevKeyFiles(config);
  return config;
}

function formatBackup(b: BackupView): string {
  const m = b.manifest;
  return [
    `backup ${b.file}: ${b.pages} pages, ${m.bytes} bytes, sha256 ${m.sha256}`,
    `manifest ${b.manifestFile}: audit head of ${m.auditStreams} streams; master keys ${m.masterKeyIds.join(', ') || '(none)'}`,
    '',
  ].join('\n');
}

function formatCheck(c: DatabaseCheck, anchorName: string): string {
  const wrappedBy = c.keys.masterKeyIds.join(', ') || 'none';
  const lines = [
    `keys: ${c.keys.unwrapped}/${c.keys.checked} unwrap with the configured master keys (wrapped by ${wrappedBy})`,
  ];
  for (const p of c.keys.problems) {
    const by = p.masterKeyId === null ? '' : ` (master key ${p.masterKeyId})`;
    lines.push(
      `PROBLEM tenant ${p.tenantId ?? '(system)'} ${p.kind} key v${p.version}${by}: ${p.problem}`,
    );
  }
  for (const p of c.audit.problems) {
    const event = p.id === null ? '' : ` (event ${p.id})`;
    lines.push(`BROKEN stream ${p.tenantId ?? 'operator'} at seq ${p.seq}${event}: ${p.reason}`);
  }
  const a = c.audit;
  lines.push(
    a.unchecked === undefined
      ? `audit: ${a.events} events in ${a.streams} streams: ${a.ok ? 'chain intact' : 'chain BROKEN'}`
      : `audit: NOT CHECKED: ${a.unchecked}`,
  );
  if (a.anchor !== undefined && a.ok) {
    lines.push(`no stream is behind ${anchorName} of ${a.anchor.at} (${a.anchor.streams} streams)`);
  }
  lines.push(
    `rows: ${Object.entries(c.counts)
      .map(([t, n]) => `${t} ${n}`)
      .join(', ')}`,
  );
  return `${lines.join('\n')}\n`;
}

function failWhenBroken(c: DatabaseCheck, what: string): void {
  if (c.ok) return;
  const n =
    c.keys.problems.length + c.audit.problems.length + (c.audit.unchecked === undefined ? 0 : 1);
  throw new TelvaultError('ERR_INTERNAL', `${what}: ${n} problem(s) found (listed above)`);
}

interface BackupOptions {
  force?: boolean;
  json?: boolean;
  verify?: boolean;
  head?: string;
}

async function runVerify(io: CliIo, file: string | undefined, opts: BackupOptions): Promise<void> {
  if (file !== undefined) {
    throw new TelvaultError(
      'ERR_VALIDATION',
      '--verify: checks the configured database and takes no <file> (restore a backup first)',
    );
  }
  const config = operatorConfig();
  const check = await verifyDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    masterKeys: loadMasterKeys(config),
    headLine: opts.head === undefined ? undefined : readHeadFile(opts.head),
  });
  io.write(
    opts.json === true
      ? `${JSON.stringify(check, null, 2)}\n`
      : formatCheck(check, 'the head file'),
  );
  failWhenBroken(check, 'verify');
}

async function runBackup(io: CliIo, file: string | undefined, opts: BackupOptions): Promise<void> {
  if (file === undefined) {
    throw new TelvaultError('ERR_VALIDATION', '<file>: required (or --verify)');
  }
  if (opts.head !== undefined) {
    throw new TelvaultError('ERR_VALIDATION', '--head: only with --verify');
  }
  const config = operatorConfig();
  // Refused on PostgreSQL before any key is asked for.
  refuseFileBackupOfPostgres(config.databaseUrl);
  const masterKeys = loadMasterKeys(config);
  const reporter = progressReporter(io, 'backup', { stderr: true });
  const view = await interruptible((signal) =>
    createBackup({
      databaseUrl: config.databaseUrl,
      dataDir: config.dataDir,
      file,
      masterKeys,
      force: opts.force === true,
      onProgress: (s) => reporter.update(s),
      signal,
    }),
  ).finally(() => reporter.stop());
  io.write(opts.json === true ? `${JSON.stringify(view, null, 2)}\n` : formatBackup(view));
}

export function registerBackupCommands(program: Command, io: CliIo): void {
  program
    .command('backup [file]')
    .description(
      'write an online backup of the SQLite database to FILE (and FILE.json, its manifest) while servers keep serving; --verify checks the configured database instead',
    )
    .option('--force', 'replace a backup already at FILE')
    .option('--json', 'print JSON')
    .option(
      '--verify',
      'check the configured database (SQLite or PostgreSQL): keys unwrap, audit chains verify; exits 1 on any problem',
    )
    .option(
      '--head <file>',
      'with --verify: also check against a line `telvault audit head` printed',
    )
    .action(async (file: string | undefined, opts: BackupOptions) => {
      await (opts.verify === true ? runVerify(io, file, opts) : runBackup(io, file, opts));
    });
  program
    .command('restore <file>')
    .description(
      "restore a backup (checked against FILE.json) as TELVAULT_DATA_DIR's database, then check it; exits 1 when the check finds a problem",
    )
    .option('--force', 'replace an existing database (stop every server on it first)')
    .option('--json', 'print JSON')
    .action(async (file: string, opts: { force?: boolean; json?: boolean }) => {
      const config = operatorConfig();
      if (config.databaseUrl !== undefined) {
        throw new TelvaultError(
          'ERR_BACKUP_UNSUPPORTED',
          'telvault restore writes the SQLite file, and this configuration uses PostgreSQL (TELVAULT_DATABASE_URL): restore a pg_dump with pg_restore, then run `telvault backup --verify` (docs/operations.md, Backups)',
        );
      }
      const r = await restoreBackup({
        file,
        dataDir: config.dataDir,
        masterKeys: loadMasterKeys(config),
        force: opts.force === true,
      });
      if (opts.json === true) {
        io.write(`${JSON.stringify(r, null, 2)}\n`);
      } else {
        const replaced = r.replaced ? ' (the database there was replaced)' : '';
        io.write(
          `restored ${r.file} (taken ${r.manifest.takenAt}, ${r.manifest.bytes} bytes, sha256 matches its manifest) as ${r.target}${replaced}\n`,
        );
        io.write(formatCheck(r.check, "the backup's head line"));
      }
      failWhenBroken(r.check, 'restore done, but the restored database');
    });
}
