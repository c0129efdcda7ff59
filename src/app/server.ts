// The composition root: configuration → database → key service → services → Fastify app.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import type { DestinationStream } from 'pino';
import type { TelvaultConfig } from '../config.js';
import { createApp } from '../http/app.js';
import { loadConsoleFiles } from '../http/console-routes.js';
import { buildOpenApi } from '../http/openapi.js';
import type { RouteSpec } from '../http/route-spec.js';
import { auditRoutes } from '../http/routes/audit-routes.js';
import { credentialRoutes } from '../http/routes/credential-routes.js';
import { credentialVerifyRoutes } from '../http/routes/credential-verify-routes.js';
import { healthRoutes } from '../http/routes/health-routes.js';
import { keyRoutes } from '../http/routes/key-routes.js';
import { leakCheckRoutes } from '../http/routes/leak-check-routes.js';
import { phoneRoutes } from '../http/routes/phone-routes.js';
import { platformCredentialRoutes } from '../http/routes/platform-credential-routes.js';
import { secretRoutes } from '../http/routes/secret-routes.js';
import { settingsRoutes } from '../http/routes/settings-routes.js';
import { subaccountRoutes } from '../http/routes/subaccount-routes.js';
import { tenantRoutes } from '../http/routes/tenant-routes.js';
import { tokenRoutes } from '../http/routes/token-routes.js';
import { trunkRoutes } from '../http/routes/trunk-routes.js';
import { callRoutes } from '../http/routes/call-routes.js';
import { emailRoutes } from '../http/routes/email-routes.js';
import { registerHookRoutes } from '../http/routes/hook-routes.js';
import { messageRoutes } from '../http/routes/message-routes.js';
import { webhookVerifyRoutes } from '../http/routes/webhook-verify-routes.js';
import { whoamiRoutes } from '../http/routes/whoami-routes.js';
import { assertOverrideTenant, loadEnvOverride } from '../services/credentials/index.js';
import { createLogger, type Logger } from '../services/common/index.js';
import { createLeakCheckService, LEAK_CHECK_LIMIT } from '../services/leak-check/index.js';
import { hashToken, rootTokenProblem } from '../services/tokens/index.js';
import { TelvaultError } from '../errors.js';
import { createAuthFailureLimiter, type LimiterFactory } from '../services/limits/index.js';
import type { OpenedDatabase } from '../store/database.js';
import { resolveMaxConnections } from './connection-limits.js';
import { openServices } from './open-services.js';
import type { Services } from './services.js';

/** How often a node deletes expired Idempotency-Key entries. */
const IDEMPOTENCY_SWEEP_MS = 10 * 60 * 1000;

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
  /** The admin console's build (default: dist/web of this package, which `npm run build` writes). */
  consoleDir?: string;
}

/** dist/web beside src/ and dist/ alike: this file is src/app/server.ts or dist/app/server.js. */
const DEFAULT_CONSOLE_DIR = fileURLToPath(new URL('../../dist/web/', import.meta.url));

export interface TelvaultServer {
  app: FastifyInstance;
  routes: readonly RouteSpec[];
  services: Services;
  database: OpenedDatabase;
  logger: Logger;
  /** Rate limiters on the deployment's store (Redis, PostgreSQL or memory), closed with the server. */
  limiters: LimiterFactory;
  /**
   * Listens on the configured host and port (port 0: any free port); resolves to the base URL.
   * When the port is taken, closes the server (database included) and rejects with
   * ERR_CONFIG_PORT_IN_USE.
   */
  listen(): Promise<string>;
  /** Writes the audit events of emergency-override uses once the database answers (a timer does it every 5 s). */
  flushPending(): Promise<void>;
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

/** `listen` failed because something else holds the port: say which and how to choose another. */
function portInUse(err: unknown, host: string, port: number): TelvaultError | undefined {
  if ((err as { code?: unknown } | null)?.code !== 'EADDRINUSE') return undefined;
  return new TelvaultError(
    'ERR_CONFIG_PORT_IN_USE',
    `port ${port} on ${host} is already in use: stop what listens there, or set TELVAULT_PORT (or --port) to a free port`,
  );
}

export async function createServer(input: CreateServerInput): Promise<TelvaultServer> {
  const { config } = input;
  const logger = createLogger({
    level: config.logLevel,
    ...(input.logDestination ? { destination: input.logDestination } : {}),
  });
  const maxConnections = resolveMaxConnections(config.connections.max);
  const override = loadEnvOverride(input.env ?? process.env, config.allowEnvOverride, logger);
  // The same rule as `serve`: a library user or test starting a server gets no weaker root token.
  const rootProblem =
    config.rootToken === undefined ? undefined : rootTokenProblem(config.rootToken);
  if (rootProblem !== undefined) throw new TelvaultError('ERR_CONFIG_INVALID', rootProblem);
  const rootTokenHash =
    input.rootTokenHash ??
    (config.rootToken === undefined ? undefined : hashToken(config.rootToken.reveal()));
  if (config.providers === 'sandbox' && config.sandboxUrl === undefined) {
    logger.warn('TELVAULT_PROVIDERS=sandbox without a sandbox URL: provider calls will fail');
  }
  // Where providers post status callbacks: TELVAULT_PUBLIC_URL, else, against the sandbox (which
  // runs on this machine), the URL this server listens on once it does.
  let publicUrl = config.publicUrl;
  const {
    services,
    database,
    degraded,
    limiters,
    close: closeServices,
  } = await openServices(config, {
    rootTokenHash,
    override,
    providerLog: (entry) => logger.debug({ providerCall: entry }, 'provider call'),
    serve: { logger },
    publicUrl: () => publicUrl,
  });
  try {
    if (override !== undefined)
      await assertOverrideTenant(override, (id) => services.tenants.exists(id));
    const authFailures = await createAuthFailureLimiter({
      limiters,
      keys: services.keys,
      limit: config.authFailures.limit,
      windowSeconds: config.authFailures.windowSeconds,
      logger,
    });
    logger.info({ store: limiters.store }, 'limits: failed authentications counted per address');
    const leakCheck = createLeakCheckService({
      db: database.db,
      keys: services.keys,
      audit: services.audit,
      limiter: await limiters.create(LEAK_CHECK_LIMIT),
    });
    // Readiness only reads: a probe that wrote (audit events) would turn every load balancer's
    // health check into database writes.
    const ready = async (): Promise<boolean> => {
      await sql`select 1`.execute(database.db);
      return true;
    };
    // Once the database answers again, write what the emergency override used while it did not.
    const flushOverride = async (): Promise<void> => {
      if (override === undefined || override.pending() === 0) return;
      await sql`select 1`.execute(database.db);
      await override.flush(services.audit);
    };
    const routes: RouteSpec[] = [
      ...healthRoutes(ready, degraded),
      ...tenantRoutes(services.tenants),
      ...whoamiRoutes(services.tokens),
      ...tokenRoutes(services.tokens),
      ...credentialRoutes(services.credentials),
      ...credentialVerifyRoutes(services.credentialChecks),
      ...secretRoutes(services.secrets),
      ...settingsRoutes(services.settings),
      ...phoneRoutes(services.phones, services.trunks),
      ...platformCredentialRoutes(services.platformCredentials),
      ...subaccountRoutes(services.subaccounts),
      ...trunkRoutes(services.trunks),
      ...callRoutes(
        services.calls,
        services.voiceTokens,
        services.activity,
        services.callReconciler,
      ),
      ...messageRoutes(services.messages, services.activity),
      ...emailRoutes(services.emails, services.activity),
      ...webhookVerifyRoutes(services.webhooks),
      ...keyRoutes(services.keyRotations, services.idempotency),
      ...auditRoutes(services.audit),
      ...leakCheckRoutes(leakCheck),
      ...(input.extraRoutes?.(services) ?? []),
    ];
    const consoleFiles = loadConsoleFiles(input.consoleDir ?? DEFAULT_CONSOLE_DIR);
    if (consoleFiles.index === undefined)
      logger.info(
        { dir: consoleFiles.dir },
        'console: not built (npm run build writes it); /console answers 503',
      );
    const app = createApp({
      logger,
      routes,
      console: consoleFiles,
      tokens: services.tokens,
      tenantExists: (id) => services.tenants.exists(id),
      authFailures,
      limits: {
        maxConnections,
        headersTimeoutMs: config.connections.headersTimeoutMs,
        requestTimeoutMs: config.connections.requestTimeoutMs,
        keepAliveTimeoutMs: config.connections.keepAliveTimeoutMs,
      },
    });
    registerHookRoutes(app, {
      webhooks: services.webhooks,
      tenantExists: (id) => services.tenants.exists(id),
      publicUrl: () => publicUrl,
    });
    const openapi = buildOpenApi(routes, { version: packageVersion() });
    app.get('/openapi.json', (_req, reply) => reply.send(openapi));

    // Expired Idempotency-Key entries (24 h after their first request) are deleted in batches;
    // every node sweeps, and a row two nodes both reach is deleted once.
    const sweepTimer = setInterval(() => {
      services.idempotency.sweep().then(
        (n) => {
          if (n > 0) logger.debug({ deleted: n }, 'idempotency: expired keys swept');
        },
        (err: unknown) => logger.warn({ reason: String(err) }, 'idempotency: sweep failed'),
      );
    }, IDEMPOTENCY_SWEEP_MS);
    sweepTimer.unref();
    let flushTimer: NodeJS.Timeout | undefined;
    if (override !== undefined) {
      flushTimer = setInterval(() => {
        flushOverride().catch(() => undefined);
      }, 5_000);
      flushTimer.unref();
    }

    let closing: Promise<void> | undefined;
    const close = (): Promise<void> =>
      (closing ??= (async () => {
        clearInterval(sweepTimer);
        if (flushTimer !== undefined) clearInterval(flushTimer);
        await app.close();
        await services.trunks.drain();
        // A key rotation stops between batches; its job stays resumable (POST …/keys/rotate).
        await services.keyRotations.stop();
        await closeServices();
      })());

    return {
      app,
      routes,
      services,
      database,
      logger,
      limiters,
      async listen() {
        try {
          const url = await app.listen({ host: config.host, port: config.port });
          if (publicUrl === undefined && config.providers === 'sandbox') publicUrl = url;
          return url;
        } catch (err) {
          await close();
          throw portInUse(err, config.host, config.port) ?? err;
        }
      },
      flushPending: flushOverride,
      close,
    };
  } catch (err) {
    await closeServices();
    throw err;
  }
}
