// Blind index: HMAC-SHA256 of a normalized value under a tenant's blind-index subkey, so equal
// values can be found without storing or decrypting them.
//
//   text = "bi1.k" ‖ keyVersion ‖ ".n" ‖ normalizerVersion ‖ "." ‖ base64url(first 16 bytes of
//          HMAC-SHA256(subkey, u32(normalizerVersion) ‖ UTF-8(normalized)))
//
// Stored format: do not change (indexes are looked up by equality).
import { createHmac, type KeyObject } from 'node:crypto';
import { isWellFormedText } from './aad.js';
import { argumentError, assertBytes, assertVersion } from './failures.js';
import { deriveSubkey, KEY_BYTES } from './hkdf/subkeys.js';

export interface BlindIndexKey {
  readonly version: number;
}

/** Stored format: do not change. 128-bit output: ample against collisions between a tenant's values, and short to store. */
const INDEX_BYTES = 16;

let readSubkey: (key: BlindIndexKey) => KeyObject | undefined;

class BlindIndexKeyImpl implements BlindIndexKey {
  readonly version: number;
  readonly #subkey: KeyObject;

  static {
    readSubkey = (key) => (#subkey in key ? key.#subkey : undefined);
  }

  constructor(version: number, subkey: KeyObject) {
    this.version = version;
    this.#subkey = subkey;
    Object.freeze(this);
  }

  toJSON(): { version: number } {
    return { version: this.version };
  }
}

/** A blind-index key from its 32 random bytes; the HMAC subkey is derived here, once. */
export function createBlindIndexKey(version: number, material: Uint8Array): BlindIndexKey {
  assertVersion('index key version', version);
  assertBytes('blind-index key', material, KEY_BYTES);
  return new BlindIndexKeyImpl(version, deriveSubkey(material, 'blindIndex'));
}

/**
 * The blind index of an already-normalized value. The normalizer version is both in the MAC input
 * and in the text, so values normalized differently never compare equal by accident.
 */
export function computeBlindIndex(
  key: BlindIndexKey,
  normalized: string,
  normalizerVersion: number,
): string {
  const subkey = typeof key === 'object' && key !== null ? readSubkey(key) : undefined;
  if (subkey === undefined) throw argumentError('"key" expected a BlindIndexKey');
  if (typeof normalized !== 'string' || !isWellFormedText(normalized)) {
    throw argumentError('"normalized" expected a well-formed string');
  }
  assertVersion('normalizer version', normalizerVersion);
  const head = Buffer.allocUnsafe(4);
  head.writeUInt32BE(normalizerVersion, 0);
  const mac = createHmac('sha256', subkey).update(head).update(normalized, 'utf8').digest();
  return `bi1.k${key.version}.n${normalizerVersion}.${mac.toString('base64url', 0, INDEX_BYTES)}`;
}

const INDEX_TEXT = /^bi1\.k(\d{1,9})\.n\d{1,9}\./;

/** The index key version a blind index text was computed with, or null if it is not one. */
export function blindIndexKeyVersion(text: string): number | null {
  const m = INDEX_TEXT.exec(text);
  return m === null ? null : Number(m[1]);
}
