// The audit key: 32 random bytes (never derived from the master key), wrapped by the master key
// with purpose 'audit' and stored like the system key (tenant_keys, tenant null, id `system.a1`),
// so master-key rotation rewraps it with every other key. It keys the audit chain's MACs.
import { createAuditMacs, type AuditMacs } from '../../crypto/index.js';
import { TelvaultError } from '../../errors.js';
import type { Database } from '../../store/database.js';
import { listTenantKeys } from '../../store/tenant-key-repo.js';
import { unwrapRow } from './key-loader.js';
import { createDeploymentKeyIfAbsent } from './key-provisioning.js';
import { masterKeyList, type MasterKeys } from './master-keys.js';

/** Creates audit key v1 unless it exists (inside the caller's transaction when given one). */
export function createAuditKeyIfAbsent(db: Database, masterKeys: MasterKeys): Promise<void> {
  return createDeploymentKeyIfAbsent(db, masterKeys, 'audit');
}

/** The audit MACs from the stored audit key (unwrapped once; the material is zeroed after). */
export async function loadAuditMacs(db: Database, masterKeys: MasterKeys): Promise<AuditMacs> {
  const row = (await listTenantKeys(db, null, 'audit')).find((r) => r.state === 'primary');
  if (row === undefined) throw new TelvaultError('ERR_KEYS_MISSING', 'the audit key is missing');
  let material: Uint8Array;
  try {
    material = unwrapRow(masterKeyList(masterKeys), row);
  } catch (err) {
    // An unknown master key names itself; any other failure is the opaque one, said of what.
    if (err instanceof TelvaultError && err.code === 'ERR_MASTER_KEY_UNKNOWN') throw err;
    throw new TelvaultError(
      'ERR_KEYS_MISSING',
      'the audit key does not unwrap with the configured master key',
      { cause: err },
    );
  }
  try {
    return createAuditMacs(material);
  } finally {
    material.fill(0);
  }
}
