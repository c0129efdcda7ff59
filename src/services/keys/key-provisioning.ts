// Creating wrapped keys: a tenant's first data and index keys, and the deployment's system, audit
// and fingerprint keys.
import {
  createRateLimitKeyer,
  createSecretFingerprinter,
  generateKeyMaterial,
  wrapKey,
  type MasterKey,
  type RateLimitKeyer,
  type SecretFingerprinter,
  type TenantId,
} from '../../crypto/index.js';
import { TelvaultError } from '../../errors.js';
import type { Database, KeyKind } from '../../store/database.js';
import {
  insertTenantKey,
  insertTenantKeyIfAbsent,
  listTenantKeys,
  type TenantKeyRow,
} from '../../store/tenant-key-repo.js';
import { nowIso } from '../../store/time.js';
import { tenantKeyId } from './key-ids.js';
import { unwrapRow } from './key-loader.js';
import { currentWrapKey } from './master-key-state.js';
import type { MasterKeys } from './master-keys.js';

/**
 * A new primary key row: fresh key material wrapped under `master` (bound to tenant, purpose and
 * version), the material zeroed before it returns. Every key telvault creates is made here.
 */
export function newWrappedKeyRow(
  master: MasterKey,
  tenantId: TenantId | null,
  kind: KeyKind,
  version: number,
  at: string,
): TenantKeyRow {
  const material = generateKeyMaterial();
  try {
    return {
      id: tenantKeyId(tenantId, kind, version),
      tenant_id: tenantId,
      kind,
      version,
      state: 'primary',
      wrapped: wrapKey(master, material, { tenantId, purpose: kind, version }),
      master_key_id: master.id,
      created_at: at,
      updated_at: at,
    };
  } finally {
    material.fill(0);
  }
}

/**
 * Creates a deployment key (the system key, the audit key: tenant null) v1 unless it exists, wrapped
 * under the store's current master key checked in the same transaction; its fixed id makes
 * concurrent nodes converge. Inside a caller's transaction when `db` is one.
 */
export async function createDeploymentKeyIfAbsent(
  db: Database,
  masterKeys: MasterKeys,
  kind: 'system' | 'audit' | 'fingerprint',
): Promise<void> {
  if ((await listTenantKeys(db, null, kind)).length > 0) return;
  const create = async (trx: Database): Promise<void> => {
    const master = await currentWrapKey(trx, masterKeys);
    await insertTenantKeyIfAbsent(trx, newWrappedKeyRow(master, null, kind, 1, nowIso()));
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
    await insertTenantKey(trx, newWrappedKeyRow(current, tenantId, kind, 1, at));
  }
}

/** The leak check's fingerprinter from the fingerprint key (HKDF subkey derived once). */
export async function loadSecretFingerprinter(
  db: Database,
  masters: readonly MasterKey[],
): Promise<SecretFingerprinter> {
  const row = (await listTenantKeys(db, null, 'fingerprint')).find((r) => r.state === 'primary');
  if (row === undefined)
    throw new TelvaultError('ERR_KEYS_MISSING', 'the fingerprint key is missing');
  const material = unwrapRow(masters, row);
  try {
    return createSecretFingerprinter(material);
  } finally {
    material.fill(0);
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
