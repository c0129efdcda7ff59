// `telvault sandbox --port N [--seed file.json]`: the provider sandbox alone (all emulators and
// the /__sandbox admin surface) for a platform's own integration tests. Without a seed it
// generates accounts and keys for every provider and prints them as JSON.
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { createSandboxApp } from '../sandbox/sandbox-app.js';
import { generateSandboxSeed, parseSandboxSeed, type SandboxSeed } from '../sandbox/seed.js';
import type { CliIo } from './io.js';

export interface SandboxRunOptions {
  port: number;
  host?: string;
  /** Path of a seed JSON file (format in src/sandbox/seed.ts and the README). */
  seedPath?: string;
}

export interface RunningSandbox {
  url: string;
  seed: SandboxSeed;
  close(): Promise<void>;
}

/** Starts the sandbox and prints `{ url }` (plus the generated `seed` when none was given). */
export async function runSandbox(options: SandboxRunOptions, io: CliIo): Promise<RunningSandbox> {
  let seed: SandboxSeed;
  if (options.seedPath === undefined) {
    seed = generateSandboxSeed();
  } else {
    let text: string;
    try {
      text = await readFile(options.seedPath, 'utf8');
    } catch {
      throw new Error(`cannot read the seed file ${options.seedPath}`);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new Error(`the seed file ${options.seedPath} is not valid JSON`);
    }
    seed = parseSandboxSeed(json);
  }
  const { app } = createSandboxApp({ seed, admin: true });
  const host = options.host ?? '127.0.0.1';
  await app.listen({ host, port: options.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  const url = `http://${host}:${port}`;
  // A seed read from a file is the caller's own: it is not echoed back.
  const printed = options.seedPath === undefined ? { url, seed } : { url };
  io.write(`${JSON.stringify(printed, null, 2)}\n`);
  return { url, seed, close: () => app.close() };
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535)
    throw new Error('"--port" expected an integer 0..65535');
  return port;
}

export function registerSandboxCommand(program: Command, io: CliIo): void {
  program
    .command('sandbox')
    .description('run the provider sandbox alone (Twilio, Retell, Exotel, SendGrid + admin)')
    .option('--port <port>', 'port to listen on (0: any free port)', '4010')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--seed <file>', 'JSON file naming the accounts and keys to create')
    .action(async (opts: { port: string; host: string; seed?: string }) => {
      const running = await runSandbox(
        {
          port: parsePort(opts.port),
          host: opts.host,
          ...(opts.seed === undefined ? {} : { seedPath: opts.seed }),
        },
        io,
      );
      const stop = (): void => void running.close();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
