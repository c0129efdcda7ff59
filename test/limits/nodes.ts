// Nodes for the limits tests: each is the services of one telvault process (openServices, as a
// serving node), over SQLite, or over one shared throw-away PostgreSQL database, optionally with a
// Redis URL; two nodes on PostgreSQL have two pools, two on Redis two clients. Log lines are kept.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openServices, type OpenedServices } from '../../src/app/open-services.js';
import { DEFAULT_AUTH_FAILURES, DEFAULT_CONNECTIONS } from '../../src/config.js';
import type { TenantId } from '../../src/crypto/index.js';
import { asTenantId } from '../../src/crypto/index.js';
import { Secret } from '../../src/crypto/secret.js';
import { createLogger } from '../../src/services/common/index.js';
import { onCi, redisReachable as reachable } from '../support/own-redis.js';

export const REDIS_URL = process.env['TELVAULT_TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
export { onCi };

export const redisReachable = (url = REDIS_URL): Promise<boolean> => reachable(url);

export interface Deployment {
  dataDir: string;
  databaseUrl: string | undefined;
  masterKey: Secret<string>;
  redisUrl: string | undefined;
}

export function newDeployment(
  databaseUrl: string | undefined,
  redisUrl: string | undefined,
): Deployment {
  return {
    dataDir: mkdtempSync(join(tmpdir(), 'telvault-limits-')),
    databaseUrl,
    masterKey: new Secret(randomBytes(32).toString('base64')),
    redisUrl,
  };
}

export function removeDeployment(d: Deployment): void {
  rmSync(d.dataDir, { recursive: true, force: true });
}

export interface Node extends OpenedServices {
  logLines: string[];
}

export async function openNode(d: Deployment): Promise<Node> {
  const logLines: string[] = [];
  const logger = createLogger({
    level: 'debug',
    destination: { write: (line: string) => void logLines.push(line) },
  });
  const opened = await openServices(
    {
      masterKey: d.masterKey,
      masterKeyPrevious: undefined,
      databaseUrl: d.databaseUrl,
      dataDir: d.dataDir,
      redisUrl: d.redisUrl,
      rootToken: undefined,
      host: '127.0.0.1',
      port: 0,
      providers: 'sandbox',
      sandboxUrl: undefined,
      logLevel: 'debug',
      allowEnvOverride: false,
      connections: { ...DEFAULT_CONNECTIONS },
      authFailures: { ...DEFAULT_AUTH_FAILURES },
    },
    { serve: { logger } },
  );
  return Object.assign(opened, { logLines });
}

export async function createTenant(node: Node, name: string): Promise<TenantId> {
  const t = await node.services.tenants.create(name, { kind: 'cli' });
  return asTenantId(t.id);
}
