// Rate-limit keys: a keyed hash of a value (e.g. a phone number) so limits are never keyed by the
// raw value. Derived from the system key with its own HKDF info string, so a rate-limit key never
// equals a blind index of the same value.
//
// Stored format: do not change.
//   text = "rl1." ‖ base64url(first 16 bytes of HMAC-SHA256(subkey, UTF-8(value)))
import { createHmac } from 'node:crypto';
import { isWellFormedText } from './aad.js';
import { argumentError, assertBytes } from './failures.js';
import { deriveSubkey, KEY_BYTES } from './hkdf/subkeys.js';

export interface RateLimitKeyer {
  key(value: string): string;
}

export function createRateLimitKeyer(systemMaterial: Uint8Array): RateLimitKeyer {
  assertBytes('system key', systemMaterial, KEY_BYTES);
  const subkey = deriveSubkey(systemMaterial, 'rateLimit');
  return Object.freeze({
    key(value: string): string {
      if (typeof value !== 'string' || !isWellFormedText(value)) {
        throw argumentError('"value" expected a well-formed string');
      }
      const mac = createHmac('sha256', subkey).update(value, 'utf8').digest();
      return `rl1.${mac.toString('base64url', 0, 16)}`;
    },
  });
}
