// The composition root: configuration → database → key service → services → Fastify app.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import type { DestinationStream } from 'pino';
import type { TelvaultConfig } from '../config.js';
import { createApp } from '../http/app.js';
import { buildOpenApi } from '../http/openapi.js';
import type { RouteSpec } from '../http/route-spec.js';
import { auditRoutes } from '../http/routes/audit-routes.js';
import { credentialRoutes } from '../http/routes/credential-routes.js';
import { credentialVerifyRoutes } from '../http/routes/credential-verify-routes.js';
import { healthRoutes } from '../http/routes/health-routes.js';
import { secretRoutes } from '../http/routes/secret-routes.js';
import { tenantRoutes } from '../http/routes/tenant-routes.js';
import { tokenRoutes } from '../http/routes/token-routes.js';
import { loadEnvOverride } from '../services/credentials/index.js';
import { createLogger, type Logger } from '../services/common/index.js';
import type { OpenedDatabase } from '../store/database.js';
import { openServices } from './open-services.js';
import type { Services } from './services.js';

export interface CreateServerInput {
  config: TelvaultConfig;
  /** Where log lines go (default stdout). */
  logDestination?: DestinationStream;
  /** SHA-256 of the root token, when the caller keeps only the hash (`telvault dev`). */
  rootTokenHash?: Buffer;
  /** Environment for the emergency override (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Routes mounted by other parts of the product (phones, calls, …). */
  extraRoutes?: (services: Services) => RouteSpec[];
}

export interface TelvaultServer {
  app: FastifyInstance;
  routes: readonly RouteSpec[];
  services: Services;
  database: OpenedDatabase;
  logger: Logger;
  /** Listens on the configured host and port (port 0: any free port); resolves to the base URL. */
  listen(): Promise<string>;
  close(): Promise<void>;
}

function packageVersion(): string {
  try {
    const pkg = JSON.parse(
      readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
    ) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

export function hashRootToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

export async function createServer(input: CreateServerInput): Promise<TelvaultServer> {
  const { config } = input;
  const logger = createLogger({
    level: config.logLevel,
    ...(input.logDestination ? { destination: input.logDestination } : {}),
  });
  const override = loadEnvOverride(input.env ?? process.env, config.allowEnvOverride, logger);
  const rootTokenHash =
    input.rootTokenHash ??
    (config.rootToken === undefined ? undefined : hashRootToken(config.rootToken.reveal()));
  if (config.providers === 'sandbox' && config.sandboxUrl === undefined) {
    logger.warn('TELVAULT_PROVIDERS=sandbox without a sandbox URL: provider calls will fail');
  }
  const {
    services,
    database,
    degraded,
    close: closeServices,
  } = await openServices(config, {
    rootTokenHash,
    override,
    providerLog: (entry) => logger.debug({ providerCall: entry }, 'provider call'),
    serve: { logger },
  });
  try {
    const ready = async (): Promise<boolean> => {
      await sql`select 1`.execute(database.db);
      // The database answers: write what the emergency override used while it did not.
      if (override !== undefined && override.pending() > 0) await override.flush(services.audit);
      return true;
    };
    const routes: RouteSpec[] = [
      ...healthRoutes(ready, degraded),
      ...tenantRoutes(services.tenants),
      ...tokenRoutes(services.tokens),
      ...credentialRoutes(services.credentials),
      ...credentialVerifyRoutes(services.credentialChecks),
      ...secretRoutes(services.secrets),
      ...auditRoutes(services.audit),
      ...(input.extraRoutes?.(services) ?? []),
    ];
    const app = createApp({
      logger,
      routes,
      tokens: services.tokens,
      tenantExists: (id) => services.tenants.exists(id),
    });
    const openapi = buildOpenApi(routes, { version: packageVersion() });
    app.get('/openapi.json', (_req, reply) => reply.send(openapi));

    let flushTimer: NodeJS.Timeout | undefined;
    if (override !== undefined) {
      flushTimer = setInterval(() => {
        if (override.pending() > 0) ready().catch(() => undefined);
      }, 5_000);
      flushTimer.unref();
    }

    return {
      app,
      routes,
      services,
      database,
      logger,
      async listen() {
        return app.listen({ host: config.host, port: config.port });
      },
      async close() {
        if (flushTimer !== undefined) clearInterval(flushTimer);
        await app.close();
        await closeServices();
      },
    };
  } catch (err) {
    await closeServices();
    throw err;
  }
}
