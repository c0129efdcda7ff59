// `gcm-hex-pbkdf2`: 'iv:ciphertext:tag' lower-case hex, 16-byte IV, AES-256-GCM,
// key = PBKDF2-HMAC-SHA256(secret, salt, iterations, 32 bytes).
import { createSecretKey, pbkdf2Sync } from 'node:crypto';
import { openLegacyGcm } from './legacy-gcm.js';
import { decodeUtf8, inputError, paramsError, readHex, readParams, readString } from './parse.js';
import type { LegacyScheme } from './scheme.js';

const MAX_ITERATIONS = 10_000_000;

function parse(params: unknown): { secret: string; salt: string; iterations: number } {
  const p = readParams(params, ['secret', 'salt', 'iterations']);
  const iterations = p.iterations;
  if (
    typeof iterations !== 'number' ||
    !Number.isInteger(iterations) ||
    iterations < 1 ||
    iterations > MAX_ITERATIONS
  ) {
    throw paramsError(`"iterations" expected an integer from 1 to ${MAX_ITERATIONS}`);
  }
  return {
    secret: readString('secret', p.secret, false),
    salt: readString('salt', p.salt, true),
    iterations,
  };
}

export const gcmHexPbkdf2: LegacyScheme = {
  canonicalParams(params) {
    const { secret, salt, iterations } = parse(params);
    return [secret, salt, iterations];
  },
  createDecoder(params) {
    const { secret, salt, iterations } = parse(params);
    const raw = pbkdf2Sync(secret, salt, iterations, 32, 'sha256');
    const key = createSecretKey(raw);
    raw.fill(0);
    return (input) => {
      if (typeof input !== 'string')
        throw inputError("input expected a string 'iv:ciphertext:tag'");
      const parts = input.split(':');
      if (parts.length !== 3)
        throw inputError(`input expected 3 parts 'iv:ciphertext:tag', got ${parts.length}`);
      const [ivHex = '', ctHex = '', tagHex = ''] = parts;
      const iv = readHex('iv', ivHex, 16);
      const ciphertext = readHex('ciphertext', ctHex);
      const tag = readHex('tag', tagHex, 16);
      return decodeUtf8(openLegacyGcm(key, iv, ciphertext, tag));
    };
  },
};
