// `telvault dev`: everything embedded for a laptop. SQLite and a master key file under ./.telvault
// (created on first run, mode 0600), a root token printed once, the server on 127.0.0.1:8080.
import type { Command } from 'commander';
import { loadConfig, providerTargetProblems } from '../config.js';
import { TelvaultError } from '../errors.js';
import { applyDevKeyFiles } from './dev-key-files.js';
import { prepareDevState } from './dev-state.js';
import { createServer, type TelvaultServer } from '../app/server.js';
import { startDevSandbox, type DevSandbox } from './dev-sandbox.js';
import { recordDevSandbox } from './dev-sandbox-record.js';
import type { CliIo } from './io.js';
import { closeOnSignal } from './serve-command.js';

export interface DevOptions {
  port?: number | undefined;
  dataDir?: string | undefined;
  newRootToken?: boolean | undefined;
}

const BANNER_LINES = [
  'telvault DEVELOPMENT MODE: not for production.',
  'The master key sits in a file next to the data it protects.',
  'Use `telvault serve` with TELVAULT_MASTER_KEY in production.',
];
const BANNER_WIDTH = Math.max(...BANNER_LINES.map((l) => l.length)) + 6;
const BANNER = [
  '',
  `  ${'#'.repeat(BANNER_WIDTH)}`,
  ...BANNER_LINES.map((l) => `  #  ${l.padEnd(BANNER_WIDTH - 6)}  #`),
  `  ${'#'.repeat(BANNER_WIDTH)}`,
  '',
].join('\n');

export async function startDev(
  env: NodeJS.ProcessEnv,
  io: CliIo,
  opts: DevOptions = {},
): Promise<TelvaultServer> {
  const merged = { ...env };
  if (opts.dataDir !== undefined) merged['TELVAULT_DATA_DIR'] = opts.dataDir;
  const config = loadConfig(merged, { providers: 'sandbox' });
  const [problem] = providerTargetProblems(config, 'dev');
  if (problem !== undefined) throw new TelvaultError('ERR_CONFIG_INVALID', problem);
  if (opts.port !== undefined) config.port = opts.port;
  // Development binds to loopback unless told otherwise.
  if (merged['TELVAULT_HOST'] === undefined) config.host = '127.0.0.1';
  if (config.databaseUrl !== undefined) {
    io.write('telvault dev: TELVAULT_DATABASE_URL is set; using that database instead of SQLite\n');
  }
  const state = prepareDevState(config.dataDir, { newRootToken: opts.newRootToken === true });
  const envKey = config.masterKey !== undefined;
  // master.key (unless TELVAULT_MASTER_KEY is set) and, during a rotation, master.key.previous.
  applyDevKeyFiles(config);
  // The seeded provider sandbox on its own loopback port, unless TELVAULT_SANDBOX_URL names a
  // separately running one or TELVAULT_PROVIDERS=live; the server's provider clients point at it.
  let sandbox: DevSandbox | undefined;
  if (config.providers === 'sandbox' && config.sandboxUrl === undefined) {
    sandbox = await startDevSandbox(config.dataDir);
    config.sandboxUrl = sandbox.url;
  }
  let server: TelvaultServer;
  try {
    server = await createServer({
      config,
      env: merged,
      ...(config.rootToken === undefined ? { rootTokenHash: state.rootTokenHash } : {}),
    });
  } catch (err) {
    await sandbox?.close();
    throw err;
  }
  let url: string;
  try {
    url = await server.listen(); // closes the server itself when the port is taken
  } catch (err) {
    await sandbox?.close();
    throw err;
  }
  // Operator commands opened on this data directory reach providers through the same sandbox.
  const unrecord =
    config.providers === 'sandbox' && config.sandboxUrl !== undefined
      ? recordDevSandbox(config.dataDir, config.sandboxUrl)
      : () => undefined;
  io.write(BANNER);
  io.write(
    `\n  API        ${url}\n  OpenAPI    ${url}/openapi.json\n  Console    ${url}/console\n`,
  );
  if (config.providers === 'live') io.write('  providers  live (TELVAULT_PROVIDERS=live)\n');
  else if (sandbox === undefined)
    io.write(`  sandbox    ${config.sandboxUrl ?? ''} (TELVAULT_SANDBOX_URL)\n`);
  else {
    io.write(`  sandbox    ${sandbox.url} (admin: ${sandbox.url}/__sandbox/state)\n`);
    io.write(
      `  accounts   ${sandbox.seedPath}${sandbox.seedCreated ? ' (created)' : ''}: store these with PUT …/credentials/<provider>\n`,
    );
  }
  io.write(`  data       ${config.dataDir}\n`);
  io.write(
    `  master key ${envKey ? 'from TELVAULT_MASTER_KEY' : `${state.masterKeyFile}${state.masterKeyCreated ? ' (created)' : ''}`}\n`,
  );
  if (config.rootToken !== undefined) io.write('  root token from TELVAULT_ROOT_TOKEN\n');
  else if (state.newRootToken !== undefined) {
    io.write(
      `  root token ${state.newRootToken.reveal()}\n             (shown once; only its hash is stored)\n`,
    );
  } else
    io.write('  root token shown on first run; `telvault dev --new-root-token` makes a new one\n');
  io.write('\n');
  return {
    ...server,
    close: async () => {
      unrecord();
      await server.close();
      await sandbox?.close();
    },
  };
}

export function registerDevCommand(program: Command, io: CliIo): void {
  program
    .command('dev')
    .description(
      'run everything embedded for development (SQLite, key file, root token) on 127.0.0.1:8080',
    )
    .option('--port <port>', 'port (default TELVAULT_PORT or 8080)', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0 || n > 65535)
        throw new TelvaultError('ERR_VALIDATION', '--port: must be 0 to 65535');
      return n;
    })
    .option('--data-dir <dir>', 'data directory (default TELVAULT_DATA_DIR or ./.telvault)')
    .option('--new-root-token', 'generate and print a new root token (the old one stops working)')
    .action(async (opts: DevOptions) => {
      closeOnSignal(await startDev(process.env, io, opts));
    });
}
