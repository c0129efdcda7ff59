// Opens the database and key service from configuration and builds every service: what the server
// and the operator CLI commands (tenant, token, keys, audit) share. A serving node also declares
// the master keys it holds, creates the system key if needed, and runs the start-up key check; an
// operator command does neither, so `keys status` and `tenant delete` work when a tenant is broken.
import { DEFAULT_TRUNKS, type TelvaultConfig } from '../config.js';
import { createLogger, type Logger } from '../services/common/index.js';
import { createLimiterFactory, type LimiterFactory } from '../services/limits/index.js';
import { createKeyService } from '../services/keys/index.js';
import { loadMasterKeys } from '../services/keys/index.js';
import { checkKeysAtStart } from '../services/keys/index.js';
import { describeKeyProblem } from '../services/keys/index.js';
import { recordCurrentMasterKeyIfAbsent } from '../services/keys/index.js';
import { startNodePresence } from '../services/keys/index.js';
import type { KeyService, MasterKeys, NodePresence } from '../services/keys/index.js';
import type { EnvOverride } from '../services/credentials/index.js';
import type { ProviderCallLog } from '../services/credentials/index.js';
import { TelvaultError } from '../errors.js';
import { openDatabase, type Database, type OpenedDatabase } from '../store/database.js';
import { createServices, type Services } from './services.js';

export interface OpenedServices {
  services: Services;
  database: OpenedDatabase;
  /** The rate limiters on the deployment's store (Redis, PostgreSQL or memory) the services use. */
  limiters: LimiterFactory;
  /**
   * Serving nodes: true while some tenant's keys are unusable (found at start, until the tenant is
   * deleted) or this node lacks the current master key. Never names a tenant.
   */
  degraded: () => Promise<boolean>;
  close: () => Promise<void>;
}

export interface ServeOptions {
  logger: Logger;
}

interface ServingNode {
  presence: NodePresence;
  broken: Set<string>;
}

async function startServingNode(
  db: Database,
  config: TelvaultConfig,
  masterKeys: MasterKeys,
  keys: KeyService,
  serve: ServeOptions,
  broken: Set<string>,
): Promise<ServingNode> {
  const presence = await startNodePresence(db, masterKeys, {
    onStale: (message) => serve.logger.error({ code: 'ERR_MASTER_KEY_STALE' }, message),
  }).catch((err: unknown) => {
    if (err instanceof TelvaultError && err.code === 'ERR_MASTER_KEY_STALE') {
      throw new TelvaultError(err.code, `refusing to serve: ${err.message}`);
    }
    throw err;
  });
  try {
    await keys.ensureSystemKey();
    const problems = await checkKeysAtStart(db, masterKeys, {
      strict: config.strictKeyCheck === true,
    });
    for (const p of problems) {
      serve.logger.error(
        { tenantId: p.tenantId, kind: p.kind, version: p.version, problem: p.problem },
        `${describeKeyProblem(p)}: this tenant's requests answer 503 ERR_TENANT_KEYS_UNAVAILABLE (TELVAULT_STRICT_KEY_CHECK=1 refuses to start instead)`,
      );
    }
    for (const p of problems) if (p.tenantId !== null) broken.add(p.tenantId);
    return { presence, broken };
  } catch (err) {
    await presence.stop();
    throw err;
  }
}

export async function openServices(
  config: TelvaultConfig,
  extra: {
    rootTokenHash?: Buffer | undefined;
    override?: EnvOverride | undefined;
    providerLog?: ((entry: ProviderCallLog) => void) | undefined;
    /** Set for a serving node (serve, dev). */
    serve?: ServeOptions | undefined;
    /** The origin providers post status callbacks to (default: config.publicUrl). */
    publicUrl?: (() => string | undefined) | undefined;
  } = {},
): Promise<OpenedServices> {
  const masterKeys = loadMasterKeys(config);
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  let node: ServingNode | undefined;
  try {
    await recordCurrentMasterKeyIfAbsent(database.db, masterKeys);
    // Tenants whose keys do not load: found at start, or later when a request first needs them.
    const broken = new Set<string>();
    const serve = extra.serve;
    const keys = createKeyService({
      db: database.db,
      masterKeys,
      onTenantKeysUnavailable: (tenantId) => {
        if (serve === undefined || broken.has(tenantId)) return;
        broken.add(tenantId);
        serve.logger.error(
          { tenantId, code: 'ERR_TENANT_KEYS_UNAVAILABLE' },
          "a tenant's keys stopped loading: its requests answer 503 (see `telvault keys status`)",
        );
      },
    });
    if (serve !== undefined) {
      node = await startServingNode(database.db, config, masterKeys, keys, serve, broken);
    }
    const serving = node;
    const logger = serve?.logger ?? createLogger({ level: 'silent' });
    const limiters = createLimiterFactory({
      redisUrl: config.redisUrl,
      postgresPool: database.pool,
      logger,
    });
    const services = createServices({
      db: database.db,
      dialect: database.dialect,
      keys,
      rootTokenHash: extra.rootTokenHash,
      override: extra.override,
      providers: { mode: config.providers, sandboxUrl: config.sandboxUrl },
      providerLog: extra.providerLog,
      publicUrl: extra.publicUrl ?? (() => config.publicUrl),
      idempotencyLeaseMs: (config.idempotencyLeaseSeconds ?? 30) * 1000,
      trunks: {
        timing: {
          leaseMs: (config.trunks ?? DEFAULT_TRUNKS).leaseSeconds * 1000,
          waitMs: (config.trunks ?? DEFAULT_TRUNKS).waitSeconds * 1000,
        },
        originationUri: (config.trunks ?? DEFAULT_TRUNKS).originationUri,
      },
      limiters,
      logger,
    });
    // The audit key is loaded (and the plain chains closed, once) before anything is served.
    await services.audit.start();
    const degraded = async (): Promise<boolean> => {
      if (serving === undefined) return false;
      // A broken tenant the operator deleted no longer degrades the node.
      for (const id of serving.broken) {
        if (!(await services.tenants.exists(id))) serving.broken.delete(id);
      }
      return serving.presence.stale() || serving.broken.size > 0;
    };
    return {
      services,
      database,
      limiters,
      degraded,
      close: async () => {
        await serving?.presence.stop();
        // The last minute's rejection counts (limits, webhooks) are audited before the database goes.
        await services.outboundLimits.close();
        await services.webhooks.close();
        await limiters.close();
        await database.close();
      },
    };
  } catch (err) {
    await node?.presence.stop();
    await database.close();
    throw err;
  }
}
