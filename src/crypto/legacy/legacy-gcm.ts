// AES-256-GCM as the legacy systems used it (16-byte IVs), with the tag length pinned to 16.
import { createDecipheriv, type KeyObject } from 'node:crypto';
import { legacyDecryptFailed } from './parse.js';

const TAG_BYTES = 16;

export function openLegacyGcm(
  key: KeyObject,
  iv: Uint8Array,
  ciphertext: Uint8Array,
  tag: Uint8Array,
): Buffer {
  if (tag.length !== TAG_BYTES) throw legacyDecryptFailed();
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } catch {
    throw legacyDecryptFailed();
  }
}
