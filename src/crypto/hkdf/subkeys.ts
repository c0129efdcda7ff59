// HKDF-SHA256 (RFC 5869) subkeys, one versioned info string per purpose. Keys are derived once,
// when a key is loaded, never per value.
import { createHmac, createSecretKey, hkdfSync, type KeyObject } from 'node:crypto';

/** Info strings per purpose. Stored format: do not change (changing one orphans every value). */
export const SUBKEY_INFO = {
  envelope: 'telvault/envelope/v1',
  blindIndex: 'telvault/blind-index/v1',
  rateLimit: 'telvault/rate-limit/v1',
  // From the fingerprint key: the leak check's fingerprints of stored secrets.
  secretFingerprint: 'telvault/secret-fingerprint/v1',
  // From the audit key. v2: the keyed chain that follows the plain SHA-256 one (audit-event/v1).
  auditEvent: 'telvault/audit-chain/v2',
  auditHead: 'telvault/audit-head/v2',
  auditAnchor: 'telvault/audit-anchor/v2',
} as const;

export type SubkeyPurpose = keyof typeof SUBKEY_INFO;

/** Every root key (data, blind-index, system, audit) is 32 bytes. */
export const KEY_BYTES = 32;

// Stored format: do not change. HKDF salt: empty (RFC 5869 §2.2: replaced by HashLen zeros). The inputs are uniformly random
// 32-byte keys, so the extract step needs no salt; purpose separation comes from `info`.
const EMPTY_SALT = new Uint8Array(0);

/** HKDF-SHA256 as used here; exposed so the Wycheproof vectors exercise this exact call. */
export function hkdfSha256(
  ikm: Uint8Array,
  salt: Uint8Array,
  info: Uint8Array | string,
  length: number,
): Buffer {
  return Buffer.from(hkdfSync('sha256', ikm, salt, info, length));
}

/** HMAC-SHA256 as used here; exposed so the Wycheproof vectors exercise this exact call. */
export function hmacSha256(key: KeyObject | Uint8Array, message: Uint8Array | string): Buffer {
  return createHmac('sha256', key).update(message).digest();
}

/** Derives the 32-byte subkey for `purpose` from a 32-byte root key, as a KeyObject. */
export function deriveSubkey(material: Uint8Array, purpose: SubkeyPurpose): KeyObject {
  const raw = hkdfSha256(material, EMPTY_SALT, SUBKEY_INFO[purpose], KEY_BYTES);
  const key = createSecretKey(raw); // copies; wipe our copy
  raw.fill(0);
  return key;
}
