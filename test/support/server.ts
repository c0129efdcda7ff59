// Boots the real server (SQLite in a temp dir, or a throw-away PostgreSQL database) on an ephemeral
// port of 127.0.0.1, and gives tests a small fetch client. Every log line is captured.
import { randomBytes } from 'node:crypto';
import { asTenantId, type TenantId } from '../../src/crypto/index.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_CONNECTIONS, type TelvaultConfig } from '../../src/config.js';
import { Secret } from '../../src/crypto/secret.js';
import { createServer, type TelvaultServer } from '../../src/app/server.js';
import type { Scope } from '../../src/services/tokens/scopes.js';
import { createTestDatabase, type TestDatabase } from './postgres.js';

export type DialectUnderTest = 'sqlite' | 'postgres';
export const DIALECTS: readonly DialectUnderTest[] = ['sqlite', 'postgres'];

export interface HttpResult {
  status: number;
  text: string;
  json: unknown;
  headers: Headers;
}

export interface TestServer {
  url: string;
  rootToken: string;
  server: TelvaultServer;
  /** Every log line written so far. */
  logLines: string[];
  /** Every response body received so far (the canary test searches them). */
  bodies: string[];
  dataDir: string;
  databaseUrl: string | undefined;
  database: TestDatabase | undefined;
  masterKey: Secret<string>;
  request(
    method: string,
    path: string,
    opts?: {
      token?: string | undefined;
      body?: unknown;
      rawBody?: string;
      headers?: Record<string, string>;
    },
  ): Promise<HttpResult>;
  createTenant(name?: string): Promise<TenantId>;
  mintToken(tenantId: string, scopes: readonly Scope[]): Promise<string>;
  close(): Promise<void>;
}

export interface StartOptions {
  env?: NodeJS.ProcessEnv;
  config?: Partial<TelvaultConfig>;
  logLevel?: TelvaultConfig['logLevel'];
  /** Restart over the database and master key of a server already closed. */
  reuse?: TestServer;
  /** The admin console's build to serve (default: dist/web, as createServer does). */
  consoleDir?: string;
}

export async function startTestServer(
  dialect: DialectUnderTest,
  opts: StartOptions = {},
): Promise<TestServer> {
  const dataDir = opts.reuse?.dataDir ?? mkdtempSync(join(tmpdir(), 'telvault-http-'));
  const pg =
    opts.reuse !== undefined
      ? opts.reuse.database
      : dialect === 'postgres'
        ? await createTestDatabase('http')
        : undefined;
  const rootToken = opts.reuse?.rootToken ?? `tvr_${randomBytes(32).toString('base64url')}`;
  const masterKey = opts.reuse?.masterKey ?? new Secret(randomBytes(32).toString('base64'));
  const config: TelvaultConfig = {
    masterKey,
    masterKeyPrevious: undefined,
    databaseUrl: pg?.url,
    dataDir,
    redisUrl: undefined,
    rootToken: new Secret(rootToken),
    host: '127.0.0.1',
    port: 0,
    providers: 'sandbox',
    sandboxUrl: undefined,
    logLevel: opts.logLevel ?? 'info',
    allowEnvOverride: false,
    connections: { ...DEFAULT_CONNECTIONS },
    // Suites send many bad tokens from 127.0.0.1 on purpose; the limit has its own tests.
    authFailures: { limit: 1_000_000, windowSeconds: 60 },
    ...opts.config,
  };
  config.masterKey = masterKey;
  const logLines: string[] = [];
  const bodies: string[] = [];
  const server = await createServer({
    config,
    logDestination: { write: (line: string) => void logLines.push(line) },
    env: opts.env ?? {},
    ...(opts.consoleDir === undefined ? {} : { consoleDir: opts.consoleDir }),
  });
  const url = await server.listen();

  async function request(
    method: string,
    path: string,
    o: {
      token?: string | undefined;
      body?: unknown;
      rawBody?: string;
      headers?: Record<string, string>;
    } = {},
  ): Promise<HttpResult> {
    const headers: Record<string, string> = { ...o.headers };
    if (o.token !== undefined) headers['authorization'] = `Bearer ${o.token}`;
    let body: string | undefined;
    if (o.rawBody !== undefined) body = o.rawBody;
    else if (o.body !== undefined) body = JSON.stringify(o.body);
    if (body !== undefined) headers['content-type'] ??= 'application/json';
    const res = await fetch(`${url}${path}`, {
      method,
      headers,
      ...(body !== undefined ? { body } : {}),
    });
    const text = await res.text();
    bodies.push(text);
    let json: unknown;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, text, json, headers: res.headers };
  }

  return {
    url,
    rootToken,
    server,
    logLines,
    bodies,
    dataDir,
    databaseUrl: pg?.url,
    database: pg,
    masterKey,
    request,
    async createTenant(name = 'tenant') {
      const r = await request('POST', '/v1/tenants', { token: rootToken, body: { name } });
      if (r.status !== 201) throw new Error(`tenant create failed: ${r.status} ${r.text}`);
      return asTenantId((r.json as { id: string }).id);
    },
    async mintToken(tenantId, scopes) {
      const r = await request('POST', `/v1/tenants/${tenantId}/tokens`, {
        token: rootToken,
        body: { name: 'test', scopes },
      });
      if (r.status !== 201) throw new Error(`token create failed: ${r.status} ${r.text}`);
      return (r.json as { token: string }).token;
    },
    async close() {
      await server.close();
      // pg's pool resolves end() before its sockets have closed; dropping the database WITH
      // (FORCE) at that moment kills a closing connection, whose error event nobody handles.
      if (pg !== undefined) await new Promise((r) => setTimeout(r, 200));
      await pg?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
