// Fingerprints of stored secrets for the leak check: a keyed hash under the deployment's own
// fingerprint key (random, wrapped by the master key, nothing else keyed by it), so one value has
// one fingerprint in every tenant (one lookup answers for all) and a fingerprint is worthless
// without the key. Its HKDF info string is its own, so it never equals a rate-limit key or a blind
// index of the same value even under the same material.
//
// Stored format: do not change.
//   text = "fp1." ‖ base64url(HMAC-SHA256(subkey, UTF-8(value)))
import { createHmac } from 'node:crypto';
import { isWellFormedText } from './aad.js';
import { argumentError, assertBytes } from './failures.js';
import { deriveSubkey, KEY_BYTES } from './hkdf/subkeys.js';

export interface SecretFingerprinter {
  fingerprint(value: string): string;
}

export function createSecretFingerprinter(material: Uint8Array): SecretFingerprinter {
  assertBytes('fingerprint key', material, KEY_BYTES);
  const subkey = deriveSubkey(material, 'secretFingerprint');
  return Object.freeze({
    fingerprint(value: string): string {
      if (typeof value !== 'string' || !isWellFormedText(value)) {
        throw argumentError('"value" expected a well-formed string');
      }
      return `fp1.${createHmac('sha256', subkey).update(value, 'utf8').digest('base64url')}`;
    },
  });
}
