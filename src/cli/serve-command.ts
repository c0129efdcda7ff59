// `telvault serve`: production. Refuses to start without a usable master key or root token, and
// says exactly what is missing.
import type { Command } from 'commander';
import { loadConfig, providerTargetProblems, type TelvaultConfig } from '../config.js';
import { parseMasterKey } from '../crypto/index.js';
import { TelvaultError } from '../errors.js';
import { createServer, type TelvaultServer } from '../app/server.js';
import { ROOT_TOKEN_MIN_LENGTH, rootTokenProblem } from '../services/tokens/index.js';
import type { CliIo } from './io.js';

/** Every reason the configuration cannot serve production traffic (empty: it can). */
export function serveProblems(config: TelvaultConfig): string[] {
  const problems: string[] = [];
  if (config.masterKey === undefined && config.masterKeyPkcs11 === undefined) {
    problems.push(
      'TELVAULT_MASTER_KEY (or TELVAULT_MASTER_KEY_FILE) is not set, nor TELVAULT_MASTER_KEY_PKCS11: generate one with `telvault keygen` (or `telvault keygen --pkcs11 <uri>`)',
    );
  }
  const keys: Array<[string, { reveal(): string } | undefined]> = [
    ['TELVAULT_MASTER_KEY', config.masterKey],
    ['TELVAULT_MASTER_KEY_NEXT', config.masterKeyNext],
    ['TELVAULT_MASTER_KEY_PREVIOUS', config.masterKeyPrevious],
  ];
  for (const [name, key] of keys) {
    if (key === undefined) continue;
    try {
      parseMasterKey(key.reveal());
    } catch (err) {
      const why = err instanceof TelvaultError ? err.message : 'invalid';
      problems.push(`${name} is not a usable master key: ${why}`);
    }
  }
  if (config.rootToken === undefined) {
    problems.push(
      `TELVAULT_ROOT_TOKEN is not set: set a random token of at least ${ROOT_TOKEN_MIN_LENGTH} characters`,
    );
  } else {
    const problem = rootTokenProblem(config.rootToken);
    if (problem !== undefined) problems.push(problem);
  }
  problems.push(...providerTargetProblems(config, 'serve'));
  return problems;
}

export async function startServe(
  env: NodeJS.ProcessEnv,
  io: CliIo,
  port?: number,
): Promise<TelvaultServer> {
  const config = loadConfig(env, { providers: 'live' });
  if (port !== undefined) config.port = port;
  const problems = serveProblems(config);
  if (problems.length > 0) {
    throw new TelvaultError(
      'ERR_CONFIG_MISSING',
      `refusing to start:\n  - ${problems.join('\n  - ')}`,
    );
  }
  const server = await createServer({ config, env });
  const url = await server.listen();
  io.write(`telvault listening on ${url} (admin console: ${url}/console)\n`);
  return server;
}

export function closeOnSignal(server: TelvaultServer): void {
  const stop = (): void => {
    server.close().catch(() => undefined);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

function parsePort(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new TelvaultError('ERR_VALIDATION', '--port: must be 0 to 65535');
  return n;
}

export function registerServeCommand(program: Command, io: CliIo): void {
  program
    .command('serve')
    .description(
      'run the API server (production: needs TELVAULT_MASTER_KEY and TELVAULT_ROOT_TOKEN)',
    )
    .option('--port <port>', 'port to listen on (default TELVAULT_PORT or 8080)', parsePort)
    .action(async (opts: { port?: number }) => {
      closeOnSignal(await startServe(process.env, io, opts.port));
    });
}
