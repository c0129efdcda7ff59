// A `telvault serve` in its own process, from the sources (test/keys/serve-child.ts), configured by
// its environment only: for tests that need several nodes on one database or a process to kill.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CHILD = fileURLToPath(new URL('../keys/serve-child.ts', import.meta.url));

export interface ChildServer {
  url: string;
  child: ChildProcess;
  /** Everything it printed so far. */
  output(): string;
  /** SIGKILL: no cleanup at all, as a crash. */
  kill(): Promise<void>;
  /** SIGTERM and wait for the exit. */
  stop(): Promise<void>;
}

/**
 * The environment of `serve` nodes against a sandbox: a fresh data directory (`prefix`), a fresh
 * master key, the given root token, and `extra` (a database URL, shorter leases, …).
 */
export function sandboxNodeEnv(
  prefix: string,
  sandboxUrl: string,
  rootToken: string,
  extra: Readonly<Record<string, string>> = {},
): Record<string, string> {
  return {
    TELVAULT_DATA_DIR: mkdtempSync(join(tmpdir(), `${prefix}-`)),
    TELVAULT_MASTER_KEY: randomBytes(32).toString('base64'),
    TELVAULT_ROOT_TOKEN: rootToken,
    TELVAULT_PROVIDERS: 'sandbox',
    TELVAULT_SANDBOX_URL: sandboxUrl,
    ...extra,
  };
}

export function spawnServer(env: Readonly<Record<string, string>>): Promise<ChildServer> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, 'serve'], {
    env: {
      PATH: process.env['PATH'] ?? '',
      TELVAULT_PORT: '0',
      TELVAULT_LOG_LEVEL: 'warn',
      ...env,
    },
  });
  let out = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const signal = async (sig: NodeJS.Signals) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill(sig);
    await exited;
  };
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (\S+)/.exec(out);
      if (m?.[1] !== undefined) {
        resolve({
          url: m[1],
          child,
          output: () => out,
          kill: () => signal('SIGKILL'),
          stop: () => signal('SIGTERM'),
        });
      }
    });
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) => reject(new Error(`serve exited (${code}): ${out}`)));
  });
}

/** A JSON request to a child server. */
export async function call(
  url: string,
  method: string,
  path: string,
  token: string,
  body?: unknown,
): Promise<{ status: number; json: unknown; text: string }> {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text };
}

/** A tenant made through a server's API with the root token, and a token of it with `scopes`. */
export async function tenantWithToken(
  url: string,
  rootToken: string,
  scopes: readonly string[],
  name = 'tenant',
): Promise<{ tenantId: string; token: string }> {
  const t = await call(url, 'POST', '/v1/tenants', rootToken, { name });
  if (t.status !== 201) throw new Error(`tenant create failed: ${t.status} ${t.text}`);
  const tenantId = (t.json as { id: string }).id;
  const k = await call(url, 'POST', `/v1/tenants/${tenantId}/tokens`, rootToken, {
    name: 'test',
    scopes,
  });
  if (k.status !== 201) throw new Error(`token create failed: ${k.status} ${k.text}`);
  return { tenantId, token: (k.json as { token: string }).token };
}
