// The audit key: 32 random bytes (never derived from the master key), wrapped by the master key
// with purpose 'audit' and stored like the system key (tenant_keys, tenant null, id `system.a1`),
// so master-key rotation rewraps it with every other key. It keys the audit chain's MACs.
import {
  createAuditMacs,
  generateKeyMaterial,
  wrapKey,
  type AuditMacs,
} from '../../crypto/index.js';
import { TelvaultError } from '../../errors.js';
import type { Database } from '../../store/database.js';
import { insertTenantKeyIfAbsent, listTenantKeys } from '../../store/tenant-key-repo.js';
import { nowIso } from '../../store/time.js';
import { tenantKeyId } from './key-ids.js';
import { unwrapRow } from './key-loader.js';
import { currentWrapKey } from './master-key-state.js';
import { masterKeyList, type MasterKeys } from './master-keys.js';

/** Creates audit key v1 unless it exists (its fixed id makes concurrent nodes converge). */
export async function createAuditKeyIfAbsent(db: Database, masterKeys: MasterKeys): Promise<void> {
  if ((await listTenantKeys(db, null, 'audit')).length > 0) return;
  // Called inside an append's transaction when the first event comes before start().
  const inTransaction = (run: (trx: Database) => Promise<void>) =>
    db.isTransaction ? run(db) : db.transaction().execute(run);
  await inTransaction(async (trx) => {
    // Wrapped under the store's current master key, checked in this transaction (item 11).
    const current = await currentWrapKey(trx, masterKeys);
    const at = nowIso();
    const material = generateKeyMaterial();
    try {
      await insertTenantKeyIfAbsent(trx, {
        id: tenantKeyId(null, 'audit', 1),
        tenant_id: null,
        kind: 'audit',
        version: 1,
        state: 'primary',
        wrapped: wrapKey(current, material, { tenantId: null, purpose: 'audit', version: 1 }),
        master_key_id: current.id,
        created_at: at,
        updated_at: at,
      });
    } finally {
      material.fill(0);
    }
  });
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
