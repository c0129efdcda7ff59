// `gcm-fields-scrypt`: {encrypted, iv, authTag} lower-case hex, 16-byte IV, AES-256-GCM,
// key = scrypt(secret, salt, N=16384, r=8, p=1, 32 bytes).
import { createSecretKey, scryptSync } from 'node:crypto';
import { openLegacyGcm } from './legacy-gcm.js';
import { decodeUtf8, readHex, readInputFields, readParams, readString } from './parse.js';
import type { LegacyScheme } from './scheme.js';

// The legacy system's fixed cost parameters (part of the scheme, not ours to tune).
const SCRYPT = { N: 16384, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };

function parse(params: unknown): { secret: string; salt: string } {
  const p = readParams(params, ['secret', 'salt']);
  return { secret: readString('secret', p.secret, false), salt: readString('salt', p.salt, true) };
}

export const gcmFieldsScrypt: LegacyScheme = {
  canonicalParams(params) {
    const { secret, salt } = parse(params);
    return [secret, salt];
  },
  createDecoder(params) {
    const { secret, salt } = parse(params);
    const raw = scryptSync(secret, salt, 32, SCRYPT);
    const key = createSecretKey(raw);
    raw.fill(0);
    return (input) => {
      const fields = readInputFields(input, ['encrypted', 'iv', 'authTag']);
      const iv = readHex('iv', fields.iv ?? '', 16);
      const tag = readHex('authTag', fields.authTag ?? '', 16);
      const ciphertext = readHex('encrypted', fields.encrypted ?? '');
      return decodeUtf8(openLegacyGcm(key, iv, ciphertext, tag));
    };
  },
};
