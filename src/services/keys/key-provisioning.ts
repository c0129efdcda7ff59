// Creating wrapped keys: a tenant's first data and index keys, and the deployment's system and
// audit keys.
import {
  createRateLimitKeyer,
  generateKeyMaterial,
  wrapKey,
  type MasterKey,
  type RateLimitKeyer,
  type TenantId,
} from '../../crypto/index.js';
import { TelvaultError } from '../../errors.js';
import type { Database } from '../../store/database.js';
import {
  insertTenantKey,
  insertTenantKeyIfAbsent,
  listTenantKeys,
} from '../../store/tenant-key-repo.js';
import { nowIso } from '../../store/time.js';
import { tenantKeyId } from './key-ids.js';
import { unwrapRow } from './key-loader.js';
import { currentWrapKey } from './master-key-state.js';
import type { MasterKeys } from './master-keys.js';

/**
 * Creates a deployment key (the system key, the audit key: tenant null) v1 unless it exists, wrapped
 * under the store's current master key checked in the same transaction; its fixed id makes
 * concurrent nodes converge. Inside a caller's transaction when `db` is one.
 */
export async function createDeploymentKeyIfAbsent(
  db: Database,
  masterKeys: MasterKeys,
  kind: 'system' | 'audit',
): Promise<void> {
  if ((await listTenantKeys(db, null, kind)).length > 0) return;
  const create = async (trx: Database): Promise<void> => {
    const master = await currentWrapKey(trx, masterKeys);
    const at = nowIso();
    const material = generateKeyMaterial();
    try {
      await insertTenantKeyIfAbsent(trx, {
        id: tenantKeyId(null, kind, 1),
        tenant_id: null,
        kind,
        version: 1,
        state: 'primary',
        wrapped: wrapKey(master, material, { tenantId: null, purpose: kind, version: 1 }),
        master_key_id: master.id,
        created_at: at,
        updated_at: at,
      });
    } finally {
      material.fill(0);
    }
  };
  await (db.isTransaction ? create(db) : db.transaction().execute(create));
}

/** Creates system key v1 unless it exists. */
export function createSystemKeyIfAbsent(db: Database, masterKeys: MasterKeys): Promise<void> {
  return createDeploymentKeyIfAbsent(db, masterKeys, 'system');
}

/**
 * Inserts a new tenant's data key v1 and index key v1, both primary, in `trx`, wrapped under the
 * store's current master key.
 */
export async function insertFirstTenantKeys(
  trx: Database,
  masterKeys: MasterKeys,
  tenantId: TenantId,
): Promise<void> {
  const current = await currentWrapKey(trx, masterKeys);
  const at = nowIso();
  for (const kind of ['data', 'index'] as const) {
    const material = generateKeyMaterial();
    try {
      await insertTenantKey(trx, {
        id: tenantKeyId(tenantId, kind, 1),
        tenant_id: tenantId,
        kind,
        version: 1,
        state: 'primary',
        wrapped: wrapKey(current, material, { tenantId, purpose: kind, version: 1 }),
        master_key_id: current.id,
        created_at: at,
        updated_at: at,
      });
    } finally {
      material.fill(0);
    }
  }
}

/** The rate-limit keyer from the system key (HKDF subkey derived once). */
export async function loadRateLimitKeyer(
  db: Database,
  masters: readonly MasterKey[],
): Promise<RateLimitKeyer> {
  const rows = await listTenantKeys(db, null, 'system');
  const row = rows.find((r) => r.state === 'primary');
  if (row === undefined) throw new TelvaultError('ERR_KEYS_MISSING', 'the system key is missing');
  const material = unwrapRow(masters, row);
  try {
    return createRateLimitKeyer(material);
  } finally {
    material.fill(0);
  }
}
