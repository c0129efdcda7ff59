// Builds every service over one database and key service: what the server, the CLI and a platform
// embedding telvault as a library all use.
import type { Database, DialectName } from '../store/database.js';
import type { KeyService } from '../services/key-service.js';
import { createAuditService } from '../services/audit-service.js';
import { createCredentialService } from '../services/credential-service.js';
import type { EnvOverride } from '../services/env-override.js';
import { createSecretService } from '../services/secret-service.js';
import { createTenantService } from '../services/tenant-service.js';
import { createTokenService } from '../services/token-service.js';
import { createTenantAdmin } from './tenant-admin.js';

export interface ServicesInput {
  db: Database;
  dialect: DialectName;
  keys: KeyService;
  rootTokenHash: Buffer | undefined;
  override?: EnvOverride | undefined;
}

export function createServices(input: ServicesInput) {
  const { db, dialect, keys } = input;
  const audit = createAuditService({ db, dialect });
  const tenants = createTenantAdmin(createTenantService({ db, keys }), audit);
  return {
    audit,
    tenants,
    tokens: createTokenService({ db, audit, rootTokenHash: input.rootTokenHash }),
    credentials: createCredentialService({ db, keys, audit, override: input.override }),
    secrets: createSecretService({ db, keys, audit }),
    keys,
  };
}

export type Services = ReturnType<typeof createServices>;
