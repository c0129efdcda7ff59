// `telvault scan [PATH] [--history] [--format text|json|sarif] [--allowlist FILE]`: provider
// secrets in a working tree (and every commit). Exit 0 when none is found, 1 when some are, 2 on
// bad usage (an unknown format, a path that is not a directory, an allowlist that does not parse,
// --history outside git). Findings go to stdout in the chosen format; nothing of a secret beyond
// its first 4 characters is ever printed.
import { Option, type Command } from 'commander';
import { TelvaultError } from '../errors.js';
import {
  formatScanJson,
  formatScanSarif,
  formatScanText,
  readAllowlist,
  scanSecrets,
  type ScanReport,
} from '../services/scan/index.js';
import type { CliIo } from './io.js';

const FORMATS = ['text', 'json', 'sarif'] as const;
type Format = (typeof FORMATS)[number];
const USAGE_CODES = new Set([
  'ERR_SCAN_PATH_INVALID',
  'ERR_SCAN_ALLOWLIST_INVALID',
  'ERR_SCAN_GIT_FAILED',
]);

const formatters: Record<Format, (r: ScanReport) => string> = {
  text: formatScanText,
  json: formatScanJson,
  sarif: formatScanSarif,
};

interface ScanOptions {
  history?: boolean;
  format: Format;
  allowlist?: string;
}

export function registerScanCommand(program: Command, io: CliIo): void {
  program
    .command('scan')
    .description(
      'find provider secrets in a working tree (and its git history); exits 1 on findings',
    )
    .argument('[path]', 'directory to scan', '.')
    .option('--history', 'also scan every commit of the git history')
    .addOption(new Option('--format <format>', 'output format').choices(FORMATS).default('text'))
    .option('--allowlist <file>', 'file of finding fingerprints to leave out, one a line')
    .action(async (path: string, opts: ScanOptions, cmd: Command) => {
      let report: ScanReport;
      try {
        const allowlist =
          opts.allowlist === undefined ? undefined : await readAllowlist(opts.allowlist);
        report = await scanSecrets({
          path,
          history: opts.history === true,
          ...(allowlist === undefined ? {} : { allowlist }),
        });
      } catch (err) {
        if (err instanceof TelvaultError && USAGE_CODES.has(err.code)) {
          cmd.error(`telvault scan: ${err.message}`, { exitCode: 2, code: err.code });
        }
        throw err;
      }
      io.write(formatters[opts.format](report));
      if (report.findings.length > 0) {
        throw new Error(`${report.findings.length} secret(s) found`);
      }
    });
}
