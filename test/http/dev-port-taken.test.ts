// `telvault dev` and `serve` with their port taken: they exit non-zero with a message naming the
// port and TELVAULT_PORT, having stopped what they started (dev's sandbox, the database). In a
// child process, whose exiting on its own proves nothing it started is left listening; and in this
// process, counting listening servers before and after.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';

const CHILD = new URL('../support/cli-child.ts', import.meta.url).pathname;

let holder: Server;
let port: number;
const dirs: string[] = [];

beforeAll(async () => {
  holder = createServer();
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
  port = (holder.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise((resolve) => holder.close(resolve));
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function dataDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'tv-port-'));
  dirs.push(d);
  return d;
}

/** The environment without the developer's own TELVAULT_* variables. */
function cleanEnv(vars: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('TELVAULT_')) env[k] = v;
  return { ...env, ...vars };
}

/** Listening TCP servers in this process (the port holder is one). */
const listeningServers = () =>
  process.getActiveResourcesInfo().filter((r) => r === 'TCPServerWrap').length;

function capture() {
  const err: string[] = [];
  return { io: { write: () => undefined, writeError: (s: string) => void err.push(s) }, err };
}

describe('a taken port', () => {
  it('makes `telvault dev` exit non-zero, naming the port and TELVAULT_PORT, with nothing left running', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, 'dev'], {
      env: cleanEnv({
        TELVAULT_PORT: String(port),
        TELVAULT_DATA_DIR: dataDir(),
        TELVAULT_LOG_LEVEL: 'silent',
      }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.stdout.resume();
    // The child exits only once nothing it started (sandbox, server, database) holds it open; the
    // bound is for a slow tsx start-up on a busy machine, and a child still running is the bug.
    const code = await new Promise<number | 'still running'>((resolve) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        resolve('still running');
      }, 60_000);
      child.once('exit', (c) => {
        clearTimeout(timer);
        resolve(c ?? -1);
      });
    });
    expect(code).toBe(1);
    expect(stderr).toContain(`port ${port} on 127.0.0.1 is already in use`);
    expect(stderr).toContain('TELVAULT_PORT');
    expect(stderr).not.toContain('EADDRINUSE');
  }, 90_000);

  it('closes the sandbox and the server `telvault dev` started before it found the port taken', async () => {
    const before = listeningServers();
    const c = capture();
    const env = { TELVAULT_DATA_DIR: dataDir(), TELVAULT_LOG_LEVEL: 'silent' };
    const saved = { ...process.env };
    try {
      for (const k of Object.keys(process.env))
        if (k.startsWith('TELVAULT_')) delete process.env[k];
      Object.assign(process.env, env);
      expect(await runCli(['dev', '--port', String(port)], c.io)).toBe(1);
    } finally {
      process.env = saved;
    }
    expect(c.err.join('')).toContain(`port ${port} on 127.0.0.1 is already in use`);
    // A closed server's handle goes at libuv's next turns, after close() has resolved.
    for (let turn = 0; turn < 20 && listeningServers() > before; turn++) {
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(listeningServers()).toBe(before);
  });

  it('makes `telvault serve` exit non-zero with the same message', async () => {
    const c = capture();
    const saved = { ...process.env };
    try {
      for (const k of Object.keys(process.env))
        if (k.startsWith('TELVAULT_')) delete process.env[k];
      Object.assign(process.env, {
        TELVAULT_MASTER_KEY: randomBytes(32).toString('base64'),
        TELVAULT_ROOT_TOKEN: `tvr_${randomBytes(32).toString('base64url')}`,
        TELVAULT_DATA_DIR: dataDir(),
        TELVAULT_LOG_LEVEL: 'silent',
        TELVAULT_PORT: String(port),
      });
      expect(await runCli(['serve'], c.io)).toBe(1);
    } finally {
      process.env = saved;
    }
    expect(c.err.join('')).toContain(`port ${port} on 127.0.0.1 is already in use`);
    expect(c.err.join('')).toContain('TELVAULT_PORT');
  });
});
