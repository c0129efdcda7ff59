// Turns a tenant's wrapped key rows into usable keys: a keyring of data keys and the blind-index
// keys. The unwrapped material lives only long enough to derive the subkeys.
import {
  createBlindIndexKey,
  createDataKey,
  createKeyring,
  unwrapKey,
  wrappedKeyMasterId,
  type BlindIndexKey,
  type KeyId,
  type Keyring,
  type MasterKey,
  asTenantId,
  type TenantId,
} from '../../crypto/index.js';
import { TelvaultError } from '../../errors.js';
import type { TenantKeyRow } from '../../store/tenant-key-repo.js';
import { tenantKeyId } from './key-ids.js';
import { masterKeyUnknown } from './master-keys.js';

export interface TenantKeyset {
  tenantId: TenantId;
  stamp: number;
  keyring: Keyring;
  /** Envelope key id → data key version. */
  versions: ReadonlyMap<KeyId, number>;
  /** Blind-index keys not retired, primary first. */
  indexKeys: readonly BlindIndexKey[];
}

/**
 * Unwraps one key row; the caller must zero the result. A master key this node was not given is
 * ERR_MASTER_KEY_UNKNOWN naming its id and the variables that supply one.
 */
/** The tenant a key row belongs to (null: a deployment key), as wrap contexts take it. */
export function keyRowTenant(row: Pick<TenantKeyRow, 'tenant_id'>): TenantId | null {
  return row.tenant_id === null ? null : asTenantId(row.tenant_id);
}

export function unwrapRow(masters: readonly MasterKey[], row: TenantKeyRow): Uint8Array {
  try {
    return unwrapKey(masters, row.wrapped, {
      tenantId: keyRowTenant(row),
      purpose: row.kind,
      version: row.version,
    });
  } catch (err) {
    if (err instanceof TelvaultError && err.code === 'ERR_KEYS_MASTER_UNKNOWN') {
      // The id the wrapped text names is the one unwrapKey looked for.
      throw masterKeyUnknown(wrappedKeyMasterId(row.wrapped), err);
    }
    throw err;
  }
}

export function buildTenantKeyset(
  tenantId: TenantId,
  stamp: number,
  rows: readonly TenantKeyRow[],
  masters: readonly MasterKey[],
): TenantKeyset {
  const entries = [];
  const versions = new Map<KeyId, number>();
  const index: Array<{ key: BlindIndexKey; primary: boolean }> = [];
  for (const row of rows) {
    // Retired index keys are skipped; retired data keys stay in the ring so opening an envelope
    // of one fails with ERR_CRYPTO_KEY_RETIRED rather than "unknown".
    if (row.state === 'retired' && row.kind !== 'data') continue;
    const material = unwrapRow(masters, row);
    try {
      if (row.kind === 'data') {
        const id = tenantKeyId(tenantId, 'data', row.version);
        entries.push({ key: createDataKey(id, row.version, material), state: row.state });
        versions.set(id, row.version);
      } else if (row.kind === 'index') {
        index.push({
          key: createBlindIndexKey(row.version, material),
          primary: row.state === 'primary',
        });
      }
    } finally {
      material.fill(0);
    }
  }
  if (!entries.some((e) => e.state === 'primary') || !index.some((i) => i.primary)) {
    throw new TelvaultError('ERR_KEYS_MISSING', `tenant ${tenantId} has no primary key`);
  }
  index.sort((a, b) => Number(b.primary) - Number(a.primary) || b.key.version - a.key.version);
  return {
    tenantId,
    stamp,
    keyring: createKeyring(entries),
    versions,
    indexKeys: index.map((i) => i.key),
  };
}
