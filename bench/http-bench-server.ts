// Child process of the HTTP bench: a bare Fastify route returning a constant and the real telvault
// server (SQLite in a temp dir, logs off unless BENCH_HTTP_LOG_LEVEL says, e.g. info), both on
// 127.0.0.1; prints their URLs and a seeded tenant.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import pino from 'pino';
import { createServer } from '../src/app/server.js';
import { DEFAULT_AUTH_FAILURES, DEFAULT_CONNECTIONS } from '../src/config.js';
import { Secret } from '../src/crypto/secret.js';

const dataDir = mkdtempSync(join(tmpdir(), 'telvault-bench-'));
const root = `tvr_${randomBytes(32).toString('base64url')}`;
const bare = Fastify({ logger: false });
bare.get('/constant', () => ({ status: 'ok' }));
// CPU time this process has used (µs): the bench divides its growth over a case by the requests
// served, a cost per request that a busy shared machine disturbs far less than requests/s.
bare.get('/cpu', () => {
  const u = process.cpuUsage();
  return { us: u.user + u.system };
});
const bareUrl = await bare.listen({ host: '127.0.0.1', port: 0 });

const server = await createServer({
  config: {
    masterKey: new Secret(randomBytes(32).toString('base64')),
    masterKeyPrevious: undefined,
    databaseUrl: undefined,
    dataDir,
    redisUrl: undefined,
    rootToken: new Secret(root),
    host: '127.0.0.1',
    port: 0,
    providers: 'sandbox',
    sandboxUrl: undefined,
    logLevel: (process.env['BENCH_HTTP_LOG_LEVEL'] ?? 'silent') as 'silent' | 'info',
    allowEnvOverride: false,
    connections: { ...DEFAULT_CONNECTIONS },
    authFailures: { ...DEFAULT_AUTH_FAILURES },
  },
  env: {},
  // With BENCH_HTTP_LOG_LEVEL=info, lines are formatted and redacted as in production, then dropped.
  logDestination: pino.destination('/dev/null'),
});
const url = await server.listen();
const call = async (method: string, path: string, token: string, body?: unknown) => {
  const r = await fetch(`${url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return (await r.json()) as Record<string, string>;
};
const tenant = await call('POST', '/v1/tenants', root, { name: 'bench' });
const tenantId = tenant['id'] ?? '';
const token = (
  await call('POST', `/v1/tenants/${tenantId}/tokens`, root, {
    name: 'bench',
    scopes: ['credentials:write', 'credentials:read', 'secrets:write', 'secrets:reveal'],
  })
)['token'];
await call('PUT', `/v1/tenants/${tenantId}/credentials/sendgrid`, token ?? '', {
  apiKey: `SG.${randomBytes(16).toString('hex')}.${randomBytes(20).toString('hex')}`,
  fromEmail: 'bench@example.com',
});
await call('PUT', `/v1/tenants/${tenantId}/secrets/bench`, token ?? '', {
  value: randomBytes(24).toString('hex'),
});
process.stdout.write(`${JSON.stringify({ bareUrl, url, tenantId, token })}\n`);

process.on('SIGTERM', () => {
  void Promise.all([bare.close(), server.close()]).finally(() => {
    rmSync(dataDir, { recursive: true, force: true });
    process.exit(0);
  });
});
