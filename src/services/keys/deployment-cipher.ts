// Sealing a secret that belongs to no tenant (the platform's own provider credentials) under the
// system key. The system key's versions are used as data keys: the envelope subkey is HKDF'd from
// the key's material with the envelope info string, which the rate-limit subkey (the system key's
// other use) never shares, and the envelope's key id is the system key's own (`system.s<n>`),
// which no tenant key can have. Each envelope is bound to { DEPLOYMENT_SCOPE, entity, field, record
// id }, so one copied to another row, field or tenant does not open.
//
// Master-key rotation rewraps the system key row like every other key (tenant_keys, tenant null):
// its material, and so every envelope sealed here, is unchanged, and nothing here is re-sealed.
// Should the system key ever gain versions, envelopes of an older one still open by the id they
// carry while its row is kept; re-sealing them would be that rotation's job.
import {
  asTenantId,
  createDataKey,
  createKeyring,
  openFieldText,
  sealField,
  Secret,
  type Keyring,
  type KeyringEntry,
} from '../../crypto/index.js';
import { TelvaultError } from '../../errors.js';
import type { Database } from '../../store/database.js';
import { listTenantKeys } from '../../store/tenant-key-repo.js';
import { tenantKeyId } from './key-ids.js';
import { unwrapRow } from './key-loader.js';
import { createSystemKeyIfAbsent } from './key-provisioning.js';
import { masterKeyList, type MasterKeys } from './master-keys.js';

/**
 * The tenant slot of a deployment envelope's associated data. Stored format: do not change. Not a
 * tenant id telvault makes (those are UUIDs), and the key id beside it is the system key's anyway.
 */
export const DEPLOYMENT_SCOPE = asTenantId('deployment');

/** Where a deployment secret lives (the envelope is bound to it). */
export interface DeploymentFieldRef {
  entity: string;
  field: string;
  recordId: string;
}

export interface DeploymentCipher {
  /** Seals under the system key's primary version (creating the system key if it is absent). */
  seal(ref: DeploymentFieldRef, plaintext: Secret<string>): Promise<string>;
  /** Opens an envelope sealed by `seal` for the same ref; anything else is the opaque error. */
  open(ref: DeploymentFieldRef, envelope: string): Promise<Secret<string>>;
}

export interface DeploymentCipherDeps {
  db: Database;
  masterKeys: MasterKeys;
}

export function createDeploymentCipher(deps: DeploymentCipherDeps): DeploymentCipher {
  const { db, masterKeys } = deps;

  // Loaded for each use, never cached: these secrets are used rarely, and a fresh load always
  // sees the key rows as they are. The unwrapped material is zeroed once the subkey is derived.
  async function keyring(): Promise<Keyring> {
    const rows = await listTenantKeys(db, null, 'system');
    if (!rows.some((r) => r.state === 'primary')) {
      throw new TelvaultError('ERR_KEYS_MISSING', 'the system key is missing');
    }
    const masters = masterKeyList(masterKeys);
    const entries: KeyringEntry[] = rows.map((row) => {
      const material = unwrapRow(masters, row);
      try {
        const key = createDataKey(tenantKeyId(null, 'system', row.version), row.version, material);
        return { key, state: row.state };
      } finally {
        material.fill(0);
      }
    });
    return createKeyring(entries);
  }

  const context = (ref: DeploymentFieldRef) => ({ tenantId: DEPLOYMENT_SCOPE, ...ref });

  return {
    async seal(ref, plaintext) {
      await createSystemKeyIfAbsent(db, masterKeys);
      const ring = await keyring();
      return sealField(ring.primary(), plaintext.reveal(), context(ref));
    },

    async open(ref, envelope) {
      return new Secret(openFieldText(await keyring(), envelope, context(ref)));
    },
  };
}
