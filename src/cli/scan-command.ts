// `telvault scan [PATH] [--history] [--format text|json|sarif] [--allowlist FILE]`: provider
// secrets in a working tree (and every commit). Exit 0 when none is found, 1 when some are, 2 on
// bad usage (an unknown format, a path that is not a directory, an allowlist that does not parse,
// --history outside git, --check-vault without TELVAULT_ROOT_TOKEN). Findings go to stdout in the
// chosen format; nothing of a secret beyond its first 4 characters is ever printed. With
// --check-vault URL each found value is also sent (in a request body, never printed) to that
// telvault's POST /v1/leak-check, and the findings it stores are marked "rotate it".
import { Option, type Command } from 'commander';
import { TelvaultError } from '../errors.js';
import { Secret } from '../crypto/index.js';
import {
  checkVault,
  formatScanJson,
  formatScanSarif,
  formatScanText,
  readAllowlist,
  scanSecrets,
  type ScanFinding,
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
  checkVault?: string;
}

/** The root token for --check-vault: from the environment only, never the command line. */
function rootTokenFor(opts: ScanOptions, cmd: Command): Secret<string> | undefined {
  if (opts.checkVault === undefined) return undefined;
  const token = process.env['TELVAULT_ROOT_TOKEN'];
  if (token === undefined || token === '') {
    cmd.error(
      'telvault scan: --check-vault: set TELVAULT_ROOT_TOKEN to the root token of the telvault it names',
      { exitCode: 2, code: 'telvault.scan.usage' },
    );
  }
  return new Secret(token);
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
    .option(
      '--check-vault <url>',
      'ask the telvault at URL (root token from TELVAULT_ROOT_TOKEN) which findings it stores',
    )
    .action(async (path: string, opts: ScanOptions, cmd: Command) => {
      let report: ScanReport;
      const secrets: { finding: ScanFinding; value: Secret<string> }[] = [];
      const rootToken = rootTokenFor(opts, cmd);
      try {
        const allowlist =
          opts.allowlist === undefined ? undefined : await readAllowlist(opts.allowlist);
        report = await scanSecrets({
          path,
          history: opts.history === true,
          ...(allowlist === undefined ? {} : { allowlist }),
          ...(rootToken === undefined
            ? {}
            : { onSecret: (finding, value) => secrets.push({ finding, value }) }),
        });
      } catch (err) {
        if (err instanceof TelvaultError && USAGE_CODES.has(err.code)) {
          cmd.error(`telvault scan: ${err.message}`, { exitCode: 2, code: err.code });
        }
        throw err;
      }
      if (opts.checkVault !== undefined && rootToken !== undefined && secrets.length > 0) {
        // A failure here (telvault unreachable or refusing) exits 1 with its status and code.
        await checkVault({ url: opts.checkVault, rootToken, secrets });
      }
      io.write(formatters[opts.format](report));
      if (report.findings.length > 0) {
        throw new Error(`${report.findings.length} secret(s) found`);
      }
    });
}
