// Adding and retiring tenant key versions. Both bump the tenant's keyring stamp, so every node
// reloads its keys within the stamp-check interval.
import type { TenantId } from '../../../crypto/index.js';
import { TelvaultError } from '../../../errors.js';
import type { Database, KeyKind } from '../../../store/database.js';
import {
  countRowsWithIndexVersion,
  countRowsWithKeyVersion,
} from '../../../store/encrypted-row-repo.js';
import { ENCRYPTED_TABLE_LIST } from '../../../store/encrypted-fields.js';
import { lockKeyUsage, setKeyUsage } from '../../../store/key-usage-repo.js';
import {
  insertTenantKey,
  listTenantKeys,
  lockTenantKey,
  setTenantKeyState,
} from '../../../store/tenant-key-repo.js';
import { findActiveJob, insertJob } from '../../../store/job-repo.js';
import { bumpKeyringStamp, lockTenant } from '../../../store/tenant-repo.js';
import { newId, nowIso } from '../../../store/time.js';
import { tenantKeyId } from '../key-ids.js';
import { newWrappedKeyRow } from '../key-provisioning.js';
import { currentWrapKey } from '../master-key-state.js';
import type { MasterKeys } from '../master-keys.js';

export interface PromotedKey {
  kind: KeyKind;
  toVersion: number;
  /** Versions that were primary or decrypt-only before (to re-encrypt, then retire). */
  fromVersions: number[];
}

/** What a data-key or index-key rotation job records when it starts. */
export interface RotationParams {
  toVersion: number;
  fromVersions: number[];
  promotedAtMs: number;
}

export interface StartedRotation {
  jobId: string;
  toVersion: number;
  resumed: boolean;
}

/**
 * Under the tenant lock: returns the tenant's unfinished `jobKind` job to resume, or promotes a new
 * `kind` key version and records a job for it (`total` rows to go). Callers then make this node
 * forget the tenant's cached keys.
 */
export async function startKeyRotationJob(
  db: Database,
  masterKeys: MasterKeys,
  tenantId: TenantId,
  job: { kind: 'data' | 'index'; jobKind: string; total: number },
): Promise<StartedRotation> {
  return db.transaction().execute(async (trx) => {
    if ((await lockTenant(trx, tenantId)) === undefined) {
      throw new TelvaultError('ERR_NOT_FOUND', `tenant ${tenantId} not found`);
    }
    const active = await findActiveJob(trx, job.jobKind, tenantId);
    if (active !== undefined) {
      const p = JSON.parse(active.params_json ?? '{}') as RotationParams;
      return { jobId: active.id, toVersion: p.toVersion, resumed: true };
    }
    const promoted = await promoteNewKeyVersion(trx, masterKeys, tenantId, job.kind);
    const params: RotationParams = {
      toVersion: promoted.toVersion,
      fromVersions: promoted.fromVersions,
      promotedAtMs: Date.now(),
    };
    const jobId = newId();
    await insertJob(trx, {
      id: jobId,
      kind: job.jobKind,
      tenantId,
      params,
      total: job.total,
      at: nowIso(),
    });
    return { jobId, toVersion: promoted.toVersion, resumed: false };
  });
}

/**
 * In `trx`: adds version max+1 of a tenant's `kind` key as primary and demotes the old primary to
 * decrypt-only.
 */
export async function promoteNewKeyVersion(
  trx: Database,
  masterKeys: MasterKeys,
  tenantId: TenantId,
  kind: 'data' | 'index',
): Promise<PromotedKey> {
  // The tenant row lock serialises concurrent promotions on PostgreSQL.
  if ((await lockTenant(trx, tenantId)) === undefined) {
    throw new TelvaultError('ERR_NOT_FOUND', `tenant ${tenantId} not found`);
  }
  const keys = await listTenantKeys(trx, tenantId, kind);
  if (!keys.some((k) => k.state === 'primary')) {
    throw new TelvaultError('ERR_KEYS_MISSING', `tenant ${tenantId} has no primary ${kind} key`);
  }
  const toVersion = Math.max(...keys.map((k) => k.version)) + 1;
  const master = await currentWrapKey(trx, masterKeys);
  const at = nowIso();
  await insertTenantKey(trx, newWrappedKeyRow(master, tenantId, kind, toVersion, at));
  for (const k of keys) {
    if (k.state === 'primary') await setTenantKeyState(trx, k.id, 'decrypt-only', at);
  }
  await bumpKeyringStamp(trx, tenantId);
  return {
    kind,
    toVersion,
    fromVersions: keys.filter((k) => k.state !== 'retired').map((k) => k.version),
  };
}

async function countRowsUsing(
  trx: Database,
  tenantId: TenantId,
  kind: KeyKind,
  version: number,
): Promise<number> {
  let n = 0;
  for (const s of ENCRYPTED_TABLE_LIST) {
    n +=
      kind === 'data'
        ? await countRowsWithKeyVersion(trx, s, tenantId, version)
        : await countRowsWithIndexVersion(trx, s, tenantId, version);
  }
  return n;
}

/**
 * Retires a key version under a lock, only when no row uses it: the usage counter is locked (a
 * writer adding a row with this key waits for us, then finds the key retired and re-seals) and the
 * rows are counted for real. A key in use, or the primary, is refused with ERR_KEYS_IN_USE.
 */
export async function retireKeyVersion(
  db: Database,
  tenantId: TenantId,
  kind: 'data' | 'index',
  version: number,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const key = await lockTenantKey(trx, tenantKeyId(tenantId, kind, version));
    if (key === undefined) {
      throw new TelvaultError('ERR_NOT_FOUND', `tenant ${tenantId} has no ${kind} key v${version}`);
    }
    if (key.state === 'retired') return;
    if (key.state === 'primary') {
      throw new TelvaultError('ERR_KEYS_IN_USE', `${kind} key v${version} is the primary key`);
    }
    const counted = await lockKeyUsage(trx, tenantId, kind, version);
    const actual = await countRowsUsing(trx, tenantId, kind, version);
    if (actual > 0) {
      throw new TelvaultError(
        'ERR_KEYS_IN_USE',
        `tenant ${tenantId} ${kind} key v${version} is still used by ${actual} row(s)`,
      );
    }
    // A counter that drifted (a writer skipped trackRowKeys) is repaired: the real count rules.
    if (counted !== 0) await setKeyUsage(trx, tenantId, kind, version, 0);
    await setTenantKeyState(trx, key.id, 'retired', nowIso());
    await bumpKeyringStamp(trx, tenantId);
  });
}
