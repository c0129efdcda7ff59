// The key hierarchy in use: seals and opens fields with a tenant's data keys, computes blind
// indexes and rate-limit keys, and provisions and destroys keys. Unwrapped keys are cached (see
// key-cache.ts); no key is ever derived per value.
//
// A row with encrypted fields is written through services/records (the one encrypted-record
// path), which calls this service to seal, re-seal and index; nothing else writes such a row.
import {
  computeBlindIndex,
  envelopeKeyId,
  openFieldText,
  sealField as sealWithKey,
  Secret,
  type RateLimitKeyer,
  type SecretFingerprinter,
  type TenantId,
} from '../../crypto/index.js';
import { TelvaultError } from '../../errors.js';
import type { Database } from '../../store/database.js';
import { deleteTenantKeyUsage } from '../../store/key-usage-repo.js';
import { deleteTenantKeyRows, listTenantKeys } from '../../store/tenant-key-repo.js';
import { bumpKeyringStamp, getKeyringStamp } from '../../store/tenant-repo.js';
import { createKeyCache, type KeyCacheOptions } from './key-cache.js';
import { buildTenantKeyset, type TenantKeyset } from './key-loader.js';
import {
  createDeploymentKeyIfAbsent,
  createSystemKeyIfAbsent,
  insertFirstTenantKeys,
  loadRateLimitKeyer,
  loadSecretFingerprinter,
} from './key-provisioning.js';
import { readKeyStatus, type KeyStatusView } from './key-status.js';
import { masterKeyList, type MasterKeys } from './master-keys.js';

export interface KeyServiceDeps {
  db: Database;
  masterKeys: MasterKeys;
  cache?: KeyCacheOptions;
  clock?: () => number;
  /** Told of a tenant whose keys stopped loading while serving (the node reports degraded). */
  onTenantKeysUnavailable?: (tenantId: TenantId) => void;
}

/** Where a field lives: the envelope is bound to it together with the tenant id. */
export interface FieldRef {
  entity: string;
  field: string;
  recordId: string;
}

export interface SealedField {
  envelope: string;
  keyVersion: number;
}

export interface KeyService {
  readonly masterKeys: MasterKeys;
  /** How long after a key change every node is guaranteed to use it (stamp check interval). */
  readonly propagationDelayMs: number;
  ensureSystemKey(): Promise<void>;
  provisionTenantKeys(trx: Database, tenantId: TenantId): Promise<void>;
  sealField(tenantId: TenantId, ref: FieldRef, plaintext: string): Promise<SealedField>;
  /** Seals several fields of one row with one key version. */
  sealFields(
    tenantId: TenantId,
    entity: string,
    recordId: string,
    fields: Readonly<Record<string, string>>,
  ): Promise<{ envelopes: Record<string, string>; keyVersion: number }>;
  /** Re-seals an envelope with the primary key if it is not already under it. */
  resealField(tenantId: TenantId, ref: FieldRef, envelope: string): Promise<SealedField>;
  openField(tenantId: TenantId, ref: FieldRef, envelope: string): Promise<Secret<string>>;
  /** The data key version an envelope of this tenant was sealed with. */
  envelopeVersion(tenantId: TenantId, envelope: string): Promise<number>;
  blindIndex(
    tenantId: TenantId,
    normalized: string,
    normalizerVersion: number,
  ): Promise<{ value: string; version: number }>;
  blindIndexCandidates(
    tenantId: TenantId,
    normalized: string,
    normalizerVersion: number,
  ): Promise<string[]>;
  rateLimitKey(value: string): Promise<string>;
  /** The leak check's fingerprint of a stored secret, under the deployment's fingerprint key. */
  secretFingerprint(value: string): Promise<string>;
  keyStatus(): Promise<KeyStatusView>;
  destroyTenantKeys(trx: Database, tenantId: TenantId): Promise<void>;
  /** The tenant's current keys (rotation jobs); `fresh` bypasses the cache. */
  tenantKeyset(tenantId: TenantId, fresh?: boolean): Promise<TenantKeyset>;
  /** Drops a tenant's cached keys on this node (after a local key change). */
  forgetTenant(tenantId: TenantId): void;
}

function tenantKeysUnavailable(cause?: unknown): TelvaultError {
  return new TelvaultError(
    'ERR_TENANT_KEYS_UNAVAILABLE',
    "this tenant's keys are unavailable: the operator sees why in `telvault keys status`",
    { cause },
  );
}

/** Whether an envelope key id names one of the tenant's own data key versions (`<id>.d<n>`). */
function ownDataKeyId(tenantId: TenantId, id: string): boolean {
  const prefix = `${tenantId}.d`;
  return id.startsWith(prefix) && /^[1-9][0-9]*$/.test(id.slice(prefix.length));
}

export function createKeyService(deps: KeyServiceDeps): KeyService {
  const { db, masterKeys } = deps;
  const masters = masterKeyList(masterKeys);
  const cache = createKeyCache(deps.cache, deps.clock);
  let systemKeyer: Promise<RateLimitKeyer> | undefined;
  let fingerprinter: Promise<SecretFingerprinter> | undefined;

  async function loadKeyset(tenantId: TenantId): Promise<TenantKeyset> {
    const stamp = await getKeyringStamp(db, tenantId);
    if (stamp === undefined) {
      throw new TelvaultError('ERR_NOT_FOUND', `tenant ${tenantId} not found`);
    }
    const rows = await listTenantKeys(db, tenantId);
    try {
      return buildTenantKeyset(tenantId, stamp, rows, masters);
    } catch (err) {
      // A key that does not unwrap (or is gone) breaks this tenant only: its requests answer 503,
      // every other tenant is served. A master key this node lacks keeps its own code and id.
      if (err instanceof TelvaultError && err.code === 'ERR_MASTER_KEY_UNKNOWN') throw err;
      deps.onTenantKeysUnavailable?.(tenantId);
      throw tenantKeysUnavailable(err);
    }
  }

  function keyset(tenantId: TenantId, fresh = false): Promise<TenantKeyset> {
    if (fresh) cache.evict(tenantId);
    return cache.get(
      tenantId,
      () => getKeyringStamp(db, tenantId),
      () => loadKeyset(tenantId),
    );
  }

  function seal(ks: TenantKeyset, tenantId: TenantId, ref: FieldRef, text: string): SealedField {
    const key = ks.keyring.primary();
    return { envelope: sealWithKey(key, text, { tenantId, ...ref }), keyVersion: key.version };
  }

  async function versionOf(tenantId: TenantId, envelope: string): Promise<number> {
    const id = envelopeKeyId(envelope);
    let ks = await keyset(tenantId);
    if (!ks.versions.has(id)) ks = await keyset(tenantId, true); // written by a newer key
    const v = ks.versions.get(id);
    if (v === undefined) throw new TelvaultError('ERR_CRYPTO_KEY_UNKNOWN', 'unknown key id');
    return v;
  }

  function loadFingerprinter(): Promise<SecretFingerprinter> {
    return loadSecretFingerprinter(db, masters).catch((err: unknown) => {
      fingerprinter = undefined;
      throw err;
    });
  }

  function loadSystemKeyer(): Promise<RateLimitKeyer> {
    return loadRateLimitKeyer(db, masters).catch((err: unknown) => {
      systemKeyer = undefined;
      throw err;
    });
  }

  return {
    masterKeys,
    propagationDelayMs: cache.stampCheckMs,

    async ensureSystemKey() {
      await createSystemKeyIfAbsent(db, masterKeys);
      await createDeploymentKeyIfAbsent(db, masterKeys, 'fingerprint');
      // Load (and so check) them now rather than on the first request that needs one.
      systemKeyer = loadSystemKeyer();
      fingerprinter = loadFingerprinter();
      await Promise.all([systemKeyer, fingerprinter]);
    },

    async provisionTenantKeys(trx, tenantId) {
      await insertFirstTenantKeys(trx, masterKeys, tenantId);
    },

    async sealField(tenantId, ref, plaintext) {
      return seal(await keyset(tenantId), tenantId, ref, plaintext);
    },

    async sealFields(tenantId, entity, recordId, fields) {
      const ks = await keyset(tenantId);
      const envelopes: Record<string, string> = {};
      for (const [field, text] of Object.entries(fields)) {
        envelopes[field] = seal(ks, tenantId, { entity, field, recordId }, text).envelope;
      }
      return { envelopes, keyVersion: ks.keyring.primary().version };
    },

    async resealField(tenantId, ref, envelope) {
      const ks = await keyset(tenantId);
      const primary = ks.keyring.primary();
      if (envelopeKeyId(envelope) === primary.id) return { envelope, keyVersion: primary.version };
      const text = openFieldText(ks.keyring, envelope, { tenantId, ...ref });
      return seal(ks, tenantId, ref, text);
    },

    async openField(tenantId, ref, envelope) {
      let ks = await keyset(tenantId);
      const id = envelopeKeyId(envelope);
      if (!ks.keyring.has(id)) {
        ks = await keyset(tenantId, true);
        // One of the tenant's own key versions that a stored row needs is gone from the key table.
        if (!ks.keyring.has(id) && ownDataKeyId(tenantId, id)) throw tenantKeysUnavailable();
      }
      return new Secret(openFieldText(ks.keyring, envelope, { tenantId, ...ref }));
    },

    envelopeVersion: versionOf,

    async blindIndex(tenantId, normalized, normalizerVersion) {
      const ks = await keyset(tenantId);
      const key = ks.indexKeys[0];
      if (key === undefined) throw new TelvaultError('ERR_KEYS_MISSING', 'no blind-index key');
      return { value: computeBlindIndex(key, normalized, normalizerVersion), version: key.version };
    },

    async blindIndexCandidates(tenantId, normalized, normalizerVersion) {
      const ks = await keyset(tenantId);
      return ks.indexKeys.map((k) => computeBlindIndex(k, normalized, normalizerVersion));
    },

    async rateLimitKey(value) {
      systemKeyer ??= loadSystemKeyer();
      return (await systemKeyer).key(value);
    },

    async secretFingerprint(value) {
      fingerprinter ??= loadFingerprinter();
      return (await fingerprinter).fingerprint(value);
    },

    keyStatus: () => readKeyStatus(db, masterKeys),

    async destroyTenantKeys(trx, tenantId) {
      await deleteTenantKeyRows(trx, tenantId);
      await deleteTenantKeyUsage(trx, tenantId);
      await bumpKeyringStamp(trx, tenantId);
      cache.evict(tenantId);
    },

    tenantKeyset: keyset,
    forgetTenant: (tenantId) => cache.evict(tenantId),
  };
}
