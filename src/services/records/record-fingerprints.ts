// The leak check's fingerprints, kept by the record path: a secret field listed in the registry's
// FINGERPRINTED_FIELDS gets, in the transaction that writes it, a keyed hash of its value; a field
// removed or replaced loses its old one; a deleted row or tenant loses them all.
// The hash is keyed by the deployment's fingerprint key (keys.secretFingerprint: random, wrapped
// by the master key, keying nothing else; crypto/secret-fingerprint.ts): a fingerprint is the
// same for one value in every tenant (so one lookup answers for all), never equals a rate-limit
// key or a blind index, and is worthless without the key. Values shorter than FINGERPRINT_MIN_LENGTH are never
// fingerprinted, so the leak check cannot confirm a guess of a weak password.
import type { Secret } from '../../crypto/index.js';
import { TelvaultError } from '../../errors.js';
import type { Database } from '../../store/database.js';
import { FINGERPRINTED_FIELDS, type EncryptedTableName } from '../../store/encrypted-fields.js';
import {
  deleteRowFingerprints,
  insertRowFingerprints,
  listRowFingerprintFields,
} from '../../store/secret-fingerprint-repo.js';
import type { KeyService } from '../keys/key-service.js';

/** Shorter secrets are not fingerprinted (and not looked up). */
export const FINGERPRINT_MIN_LENGTH = 16;

export type FingerprintKeys = Pick<KeyService, 'secretFingerprint'>;

export function secretFingerprint(keys: FingerprintKeys, value: string): Promise<string> {
  return keys.secretFingerprint(value);
}

/**
 * The fingerprints of the fields a write seals (null: the new value is too short for one). A
 * server creates the system key at start-up; a library user who never did gets it created here,
 * once, rather than a write that fails for a key it never heard of.
 */
export async function fingerprintsOf(
  keys: FingerprintKeys & Pick<KeyService, 'ensureSystemKey'>,
  table: EncryptedTableName,
  seal: Readonly<Record<string, Secret<string>>>,
): Promise<Map<string, string | null>> {
  const listed = FINGERPRINTED_FIELDS[table]?.fields ?? [];
  const out = new Map<string, string | null>();
  for (const [field, value] of Object.entries(seal)) {
    if (!listed.includes(field)) continue;
    const text = value.reveal();
    if (text.length < FINGERPRINT_MIN_LENGTH) {
      out.set(field, null);
      continue;
    }
    try {
      out.set(field, await secretFingerprint(keys, text));
    } catch (err) {
      if (!(err instanceof TelvaultError && err.code === 'ERR_KEYS_MISSING')) throw err;
      await keys.ensureSystemKey();
      out.set(field, await secretFingerprint(keys, text));
    }
  }
  return out;
}

/**
 * In the write's transaction: the row's fingerprints become those of `fresh` for the fields just
 * sealed, the others kept while their field is still `present`, dropped when it is not.
 */
export async function syncRowFingerprints(
  trx: Database,
  row: { table: EncryptedTableName; recordId: string; tenantId: string; at: string },
  present: readonly string[],
  fresh: ReadonlyMap<string, string | null>,
): Promise<void> {
  if (FINGERPRINTED_FIELDS[row.table] === undefined) return;
  const stored = await listRowFingerprintFields(trx, row.table, row.recordId);
  const stale = stored.filter((f) => fresh.has(f) || !present.includes(f));
  await deleteRowFingerprints(trx, row.table, row.recordId, stale);
  const entries = [...fresh].flatMap(([field, fingerprint]) =>
    fingerprint === null ? [] : [{ field, fingerprint }],
  );
  await insertRowFingerprints(trx, row, entries);
}
