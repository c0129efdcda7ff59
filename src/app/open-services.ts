// Opens the database and key service from configuration and builds every service: what the server
// and the operator CLI commands (tenant, token, audit) share.
import type { TelvaultConfig } from '../config.js';
import { createKeyService } from '../services/keys/index.js';
import { loadMasterKeys } from '../services/keys/index.js';
import { assertKeysUsable } from '../services/keys/index.js';
import type { EnvOverride } from '../services/credentials/index.js';
import type { ProviderCallLog } from '../services/credentials/index.js';
import { openDatabase, type OpenedDatabase } from '../store/database.js';
import { createServices, type Services } from './services.js';

export interface OpenedServices {
  services: Services;
  database: OpenedDatabase;
  close: () => Promise<void>;
}

export async function openServices(
  config: TelvaultConfig,
  extra: {
    rootTokenHash?: Buffer | undefined;
    override?: EnvOverride | undefined;
    providerLog?: ((entry: ProviderCallLog) => void) | undefined;
  } = {},
): Promise<OpenedServices> {
  const masterKeys = loadMasterKeys(config);
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    const keys = createKeyService({ db: database.db, masterKeys });
    await keys.ensureSystemKey();
    // Refuse to serve when a key that stored rows need is missing or does not unwrap.
    await assertKeysUsable(database.db, masterKeys);
    const services = createServices({
      db: database.db,
      dialect: database.dialect,
      keys,
      rootTokenHash: extra.rootTokenHash,
      override: extra.override,
      providers: { mode: config.providers, sandboxUrl: config.sandboxUrl },
      providerLog: extra.providerLog,
    });
    // The audit key is loaded (and the plain chains closed, once) before anything is served.
    await services.audit.start();
    return { services, database, close: () => database.close() };
  } catch (err) {
    await database.close();
    throw err;
  }
}
