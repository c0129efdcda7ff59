// `gcm-packed-b64`: base64(nonce[12] ‖ tag[16] ‖ ciphertext), AES-256-GCM, key = base64 32 bytes.
import { createSecretKey } from 'node:crypto';
import { openLegacyGcm } from './legacy-gcm.js';
import {
  decodeUtf8,
  inputError,
  paramsError,
  readBase64,
  readParams,
  readString,
} from './parse.js';
import type { LegacyScheme } from './scheme.js';

const NONCE_BYTES = 12;
const TAG_BYTES = 16;

function parse(params: unknown): { key: string } {
  const p = readParams(params, ['key']);
  return { key: readString('key', p.key, false) };
}

export const gcmPackedB64: LegacyScheme = {
  canonicalParams(params) {
    return [parse(params).key];
  },
  createDecoder(params) {
    const raw = readBase64('key', parse(params).key, paramsError);
    if (raw.length !== 32) {
      raw.fill(0);
      throw paramsError(`"key" expected 32 bytes, got ${raw.length}`);
    }
    const key = createSecretKey(raw);
    raw.fill(0);
    return (input) => {
      if (typeof input !== 'string') throw inputError('input expected a base64 string');
      const packed = readBase64('input', input, inputError);
      if (packed.length < NONCE_BYTES + TAG_BYTES) {
        throw inputError(
          `input expected at least ${NONCE_BYTES + TAG_BYTES} bytes (nonce and tag), got ${packed.length}`,
        );
      }
      const nonce = packed.subarray(0, NONCE_BYTES);
      const tag = packed.subarray(NONCE_BYTES, NONCE_BYTES + TAG_BYTES);
      return decodeUtf8(openLegacyGcm(key, nonce, packed.subarray(NONCE_BYTES + TAG_BYTES), tag));
    };
  },
};
