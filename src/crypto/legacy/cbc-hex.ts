// `cbc-hex`: 'iv:ciphertext' lower-case hex, AES-256-CBC with PKCS#7 and no MAC.
// key = SHA-256(UTF-8 secret) for kdf 'sha256', the first 32 UTF-8 bytes for 'utf8-first-32'.
// No integrity: a wrong key passes the padding check about once in 256, so callers validate the
// shape of every value (see PRODUCT.md); invalid UTF-8 is at least rejected here.
import { createDecipheriv, createHash, createSecretKey } from 'node:crypto';
import {
  decodeUtf8,
  inputError,
  legacyDecryptFailed,
  paramsError,
  readHex,
  readParams,
  readString,
} from './parse.js';
import type { LegacyScheme } from './scheme.js';

const BLOCK = 16;
const KDFS = ['sha256', 'utf8-first-32'] as const;
type Kdf = (typeof KDFS)[number];

function parse(params: unknown): { secret: string; kdf: Kdf } {
  const p = readParams(params, ['secret', 'kdf']);
  const kdf = KDFS.find((name) => name === p.kdf);
  if (kdf === undefined) throw paramsError(`"kdf" expected ${KDFS.join(' or ')}`);
  return { secret: readString('secret', p.secret, false), kdf };
}

function deriveRaw(secret: string, kdf: Kdf): Buffer {
  const bytes = Buffer.from(secret, 'utf8');
  if (kdf === 'sha256') {
    const digest = createHash('sha256').update(bytes).digest();
    bytes.fill(0);
    return digest;
  }
  if (bytes.length < 32) {
    throw paramsError(
      `"secret" expected at least 32 UTF-8 bytes for kdf utf8-first-32, got ${bytes.length}`,
    );
  }
  return bytes.subarray(0, 32);
}

export const cbcHex: LegacyScheme = {
  canonicalParams(params) {
    const { secret, kdf } = parse(params);
    return [secret, kdf];
  },
  createDecoder(params) {
    const { secret, kdf } = parse(params);
    const raw = deriveRaw(secret, kdf);
    const key = createSecretKey(raw);
    raw.fill(0);
    return (input) => {
      if (typeof input !== 'string') throw inputError("input expected a string 'iv:ciphertext'");
      const parts = input.split(':');
      if (parts.length !== 2)
        throw inputError(`input expected 2 parts 'iv:ciphertext', got ${parts.length}`);
      const [ivHex = '', ctHex = ''] = parts;
      const iv = readHex('iv', ivHex, BLOCK);
      const ciphertext = readHex('ciphertext', ctHex);
      if (ciphertext.length === 0 || ciphertext.length % BLOCK !== 0) {
        throw inputError(
          `"ciphertext" expected a non-empty multiple of ${BLOCK} bytes, got ${ciphertext.length}`,
        );
      }
      let plain: Buffer;
      try {
        const decipher = createDecipheriv('aes-256-cbc', key, iv);
        plain = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
      } catch {
        throw legacyDecryptFailed();
      }
      return decodeUtf8(plain);
    };
  },
};
