// The one AES-256-GCM wrapper: envelopes, wrapped keys and the Wycheproof tests all go through it.
import { createCipheriv, createDecipheriv, type KeyObject } from 'node:crypto';
import { argumentError, decryptionFailed } from './failures.js';

/** 96-bit nonce (NIST SP 800-38D §8.2 recommends 96 bits); stored format: do not change. */
export const GCM_NONCE_BYTES = 12;
/** 128-bit tag, the only length we accept; stored format: do not change. */
export const GCM_TAG_BYTES = 16;

const ALGORITHM = 'aes-256-gcm';
const OPTIONS = Object.freeze({ authTagLength: GCM_TAG_BYTES }); // one object, not one per call

/**
 * Encrypts `plaintext` and writes `ciphertext ‖ tag` into `out` at `offset`; returns the offset
 * just past the tag. Writing into the caller's buffer keeps the envelope hot path allocation-light.
 */
export function gcmSealInto(
  key: KeyObject,
  nonce: Uint8Array,
  plaintext: Uint8Array,
  aad: Uint8Array,
  out: Uint8Array,
  offset: number,
): number {
  if (nonce.length !== GCM_NONCE_BYTES) {
    throw argumentError(`"nonce" expected ${GCM_NONCE_BYTES} bytes, got ${nonce.length}`);
  }
  const cipher = createCipheriv(ALGORITHM, key, nonce, OPTIONS);
  cipher.setAAD(aad);
  const body = cipher.update(plaintext);
  out.set(body, offset);
  let end = offset + body.length;
  const rest = cipher.final();
  if (rest.length > 0) {
    out.set(rest, end);
    end += rest.length;
  }
  out.set(cipher.getAuthTag(), end);
  return end + GCM_TAG_BYTES;
}

/** Encrypts and returns `ciphertext ‖ tag` as a fresh buffer. */
export function gcmSeal(
  key: KeyObject,
  nonce: Uint8Array,
  plaintext: Uint8Array,
  aad: Uint8Array,
): Buffer {
  const out = Buffer.allocUnsafe(plaintext.length + GCM_TAG_BYTES);
  gcmSealInto(key, nonce, plaintext, aad, out, 0);
  return out;
}

/**
 * Authenticates and decrypts. The nonce must be 12 bytes and the tag exactly 16 (Node accepts
 * truncated tags unless `authTagLength` is given). Any failure is the one opaque error.
 */
export function gcmOpen(
  key: KeyObject,
  nonce: Uint8Array,
  ciphertext: Uint8Array,
  tag: Uint8Array,
  aad: Uint8Array,
): Buffer {
  if (nonce.length !== GCM_NONCE_BYTES || tag.length !== GCM_TAG_BYTES) throw decryptionFailed();
  try {
    const decipher = createDecipheriv(ALGORITHM, key, nonce, OPTIONS);
    decipher.setAAD(aad);
    decipher.setAuthTag(tag);
    const body = decipher.update(ciphertext);
    const rest = decipher.final();
    return rest.length === 0 ? body : Buffer.concat([body, rest]);
  } catch {
    // No cause attached: OpenSSL's reason would distinguish failures the caller must not tell apart.
    throw decryptionFailed();
  }
}
