// `telvault import --mapping FILE [--input [SOURCE=]FILE …] [--dry-run] [--report FILE]
// [--allow-plaintext] [--replace-existing]`: a platform's existing data brought in through the
// services. Exit code 0 when every record was imported (or unchanged), 1 when one was doubtful,
// failed or in conflict (its target holds other values this import did not write), 2 when the
// mapping or an input cannot be used (the message names the path or the line). Legacy secrets come
// from the environment variables or files the mapping names, never from the command line; no value
// is ever printed, written to the report or logged.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { CommanderError, type Command } from 'commander';
import { TelvaultError } from '../errors.js';
import {
  checkMapping,
  envKeySecrets,
  exitCodeOf,
  importRecords,
  parseMappingText,
  readRecords,
  type ImportMapping,
  type ImportReport,
  type SourceRecord,
} from '../services/import/index.js';
import cliProgress from 'cli-progress';
import { processIo, writeError, type CliIo } from './io.js';
import { openOperatorServices } from './operator-context.js';
import { progressReporter, type Reporter } from './progress.js';

interface ImportOptions {
  mapping: string;
  input: string[];
  dryRun?: boolean;
  report?: string;
  allowPlaintext?: boolean;
  replaceExisting?: boolean;
}

/** On a terminal a bar with counts and rate (stderr, so stdout stays the summary); else lines. */
function importProgress(io: CliIo): Reporter {
  if (io !== processIo || !process.stderr.isTTY)
    return progressReporter(io, 'import', { stderr: true });
  const bar = new cliProgress.SingleBar(
    {
      format: 'import [{bar}] {value}/{total} records | {rate} records/s | ETA {eta_formatted}',
      hideCursor: true,
      stream: process.stderr,
    },
    cliProgress.Presets.shades_classic,
  );
  const started = Date.now();
  let running = false;
  return {
    update(p) {
      const rate = Math.round((p.done * 1000) / Math.max(1, Date.now() - started));
      if (!running) bar.start(Math.max(p.total, 1), p.done, { rate });
      running = true;
      bar.update(p.done, { rate });
    },
    stop: () => bar.stop(),
  };
}

/** Codes that mean the mapping or an input is unusable as it is: exit 2. */
const UNUSABLE = new Set([
  'ERR_IMPORT_MAPPING_INVALID',
  'ERR_IMPORT_INPUT_INVALID',
  'ERR_IMPORT_KEY_MISSING',
]);

function unusable(message: string): TelvaultError {
  return new TelvaultError('ERR_IMPORT_INPUT_INVALID', message);
}

/** Each source's input file: the mapping's (beside it), or the one `--input` names. */
function inputFiles(mapping: ImportMapping, mappingFile: string, given: readonly string[]) {
  const files = new Map<string, string>();
  for (const s of mapping.sources) {
    if (s.file !== undefined) files.set(s.name, resolve(dirname(mappingFile), s.file));
  }
  for (const g of given) {
    const eq = g.indexOf('=');
    const named = eq > 0 && mapping.sources.some((s) => s.name === g.slice(0, eq));
    if (!named && mapping.sources.length !== 1)
      throw unusable('--input: name the source (SOURCE=FILE): the mapping has several');
    const name = named ? g.slice(0, eq) : (mapping.sources[0]?.name ?? '');
    files.set(name, resolve(named ? g.slice(eq + 1) : g));
  }
  return files;
}

function readInputs(mapping: ImportMapping, files: Map<string, string>) {
  const out: Record<string, SourceRecord[]> = {};
  mapping.sources.forEach((s, i) => {
    const file = files.get(s.name);
    if (file === undefined) throw unusable(`sources.${i}.file: required (or --input)`);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      throw unusable(`sources.${i}.file: cannot read ${file}`);
    }
    out[s.name] = readRecords(text, s.format, file);
  });
  return out;
}

function summary(io: CliIo, r: ImportReport): void {
  io.write(`${r.dryRun ? 'dry run: nothing written\n' : ''}records: ${r.records}\n`);
  const t = r.tenants;
  io.write(
    `tenants: ${t.created} created, ${t.existing} existing${r.dryRun ? `, ${t.wouldCreate} would be created` : ''}\n`,
  );
  for (const [target, outcomes] of Object.entries(r.targets)) {
    const parts = Object.entries(outcomes).map(([o, n]) => `${n} ${o}`);
    io.write(`${target}: ${parts.join(', ')}\n`);
  }
  for (const d of r.doubtful)
    io.write(`doubtful: ${d.source} ${d.record} ${d.target} ${d.field}: ${d.rule}\n`);
  for (const f of r.failed)
    io.write(`failed: ${f.source} ${f.record} ${f.target} ${f.code}: ${f.message}\n`);
  for (const c of r.conflicts)
    io.write(`conflict: ${c.source} ${c.record} ${c.target} ${c.fields.join(', ')}: ${c.reason}\n`);
  for (const c of r.replaced)
    io.write(
      `${r.dryRun ? 'would replace' : 'replaced'}: ${c.source} ${c.record} ${c.target} ${c.fields.join(', ')}: ${c.reason}\n`,
    );
  for (const x of r.rotate) io.write(`rotate: ${x.source} ${x.record} ${x.target}: ${x.reason}\n`);
  for (const [name, k] of Object.entries(r.keys))
    io.write(`key ${name}: ${k.scheme}, derived ${k.derived} time(s)\n`);
  io.write(`${r.recordsPerSecond} records/s\n`);
}

async function runImport(io: CliIo, opts: ImportOptions): Promise<void> {
  const mappingFile = resolve(opts.mapping);
  let mapping: ImportMapping;
  let input: Record<string, SourceRecord[]>;
  try {
    let text: string;
    try {
      text = readFileSync(mappingFile, 'utf8');
    } catch {
      throw new TelvaultError(
        'ERR_IMPORT_MAPPING_INVALID',
        `--mapping: cannot read ${opts.mapping}`,
      );
    }
    mapping = parseMappingText(text, opts.mapping);
    checkMapping(mapping, opts.allowPlaintext === true);
    input = readInputs(mapping, inputFiles(mapping, mappingFile, opts.input));
  } catch (err) {
    throw asUnusable(io, err);
  }
  const opened = await openOperatorServices(process.env);
  const progress = importProgress(io);
  let report: ImportReport;
  try {
    const { services, database } = opened;
    report = await importRecords({ ...services, db: database.db }, mapping, input, {
      dryRun: opts.dryRun === true,
      allowPlaintext: opts.allowPlaintext === true,
      replaceExisting: opts.replaceExisting === true,
      keySecrets: envKeySecrets(process.env, (f) => resolve(dirname(mappingFile), f)),
      actor: { kind: 'cli' },
      onProgress: (p) => progress.update(p),
    });
  } catch (err) {
    throw asUnusable(io, err);
  } finally {
    progress.stop();
    await opened.close();
  }
  summary(io, report);
  if (opts.report !== undefined) writeFileSync(opts.report, `${JSON.stringify(report, null, 2)}\n`);
  if (exitCodeOf(report) !== 0) {
    throw new Error(
      `${report.doubtful.length} doubtful value(s), ${report.failed.length} failed record(s), ${report.conflicts.length} conflict(s): not imported (above)${report.conflicts.length > 0 ? '; --replace-existing writes the conflicts' : ''}`,
    );
  }
}

/** An unusable mapping or input: its message, then exit code 2. */
function asUnusable(io: CliIo, err: unknown): unknown {
  if (!(err instanceof TelvaultError)) return err;
  if (!UNUSABLE.has(err.code) && !err.code.startsWith('ERR_LEGACY_')) return err;
  writeError(io, `telvault import: ${err.message}\n`);
  return new CommanderError(2, err.code, err.message);
}

export function registerImportCommand(program: Command, io: CliIo): void {
  program
    .command('import')
    .description(
      "bring a platform's existing data in from its legacy formats (see docs/import.md); secrets for legacy keys come from the environment variables or files the mapping names",
    )
    .requiredOption('--mapping <file>', 'the mapping file (JSON)')
    .option(
      '--input <[source=]file>',
      "read a source's records from this file instead of the mapping's (repeatable)",
      (v: string, prev: string[]) => [...prev, v],
      [] as string[],
    )
    .option('--dry-run', 'decode and check everything, write nothing')
    .option('--report <file>', 'write the JSON report here')
    .option('--allow-plaintext', 'let keys with scheme plaintext be used')
    .option(
      '--replace-existing',
      'write records whose target holds other values than this import wrote (reported as replaced); without it they are conflicts, not written',
    )
    .action((opts: ImportOptions) => runImport(io, opts));
}
