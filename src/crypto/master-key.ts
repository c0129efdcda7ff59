// The master key (KEK), known by a fingerprint id. It only wraps keys (AES-256-GCM); nothing is
// derived from it, so it can live where it is never read: a provider runs the wrap's cipher. The
// local provider holds 32 bytes from base64; another (PKCS#11, services/keys/pkcs11/) runs the same
// AES-256-GCM inside a token, so the wrapped-key format is the same whoever holds the key.
import { createSecretKey, type KeyObject } from 'node:crypto';
import { gcmOpen, gcmSeal } from './aes-gcm.js';
import { TelvaultError } from './errors.js';
import { hmacSha256, KEY_BYTES } from './hkdf/subkeys.js';

/** Who holds a master key: `local` (bytes in this process) or `pkcs11` (inside a token). */
export type MasterKeyProvider = 'local' | 'pkcs11';

/** The wrap's AES-256-GCM, run by whoever holds the key (12-byte nonce, 16-byte tag). */
export interface MasterKeyCipher {
  readonly provider: MasterKeyProvider;
  /** Returns ciphertext ‖ tag. */
  seal(nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Uint8Array;
  /**
   * Returns the plaintext; a wrong tag is ERR_CRYPTO_DECRYPT_FAILED, a provider that cannot run
   * the cipher now throws its own error (never a weaker fallback).
   */
  open(nonce: Uint8Array, ciphertext: Uint8Array, tag: Uint8Array, aad: Uint8Array): Uint8Array;
}

export interface MasterKey {
  /**
   * `mk_` + 16 hex: names the key, reveals nothing. Local: HMAC-SHA256(key,
   * 'telvault/master-key-id/v1'); PKCS#11: from the key label and a check value made in the token.
   */
  readonly id: string;
}

/** Stored format: do not change (ids are recorded with every wrapped key). */
export const MASTER_KEY_ID_INFO = 'telvault/master-key-id/v1';
export const MASTER_KEY_ID_PATTERN = /^mk_[0-9a-f]{16}$/;

let readCipher: (master: MasterKey) => MasterKeyCipher | undefined;

class MasterKeyImpl implements MasterKey {
  readonly id: string;
  readonly provider: MasterKeyProvider;
  readonly #cipher: MasterKeyCipher;

  static {
    readCipher = (master) => (#cipher in master ? master.#cipher : undefined);
  }

  constructor(id: string, cipher: MasterKeyCipher) {
    this.id = id;
    this.provider = cipher.provider;
    this.#cipher = cipher;
    Object.freeze(this);
  }

  toJSON(): { id: string } {
    return { id: this.id };
  }
}

function localCipher(key: KeyObject): MasterKeyCipher {
  return {
    provider: 'local',
    seal: (nonce, plaintext, aad) => gcmSeal(key, nonce, plaintext, aad),
    open: (nonce, ciphertext, tag, aad) => gcmOpen(key, nonce, ciphertext, tag, aad),
  };
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function invalid(message: string): TelvaultError {
  return new TelvaultError('ERR_CRYPTO_KEY_INVALID', message);
}

/**
 * Decodes a master key: standard base64 with padding (surrounding whitespace, such as a file's
 * final newline, is ignored), exactly 32 bytes. Errors name the rule, never the value.
 */
export function parseMasterKey(base64: string): MasterKey {
  if (typeof base64 !== 'string') throw invalid('"master key" expected a base64 string');
  const text = base64.trim();
  const bytes = Buffer.from(text, 'base64');
  try {
    if (text.length % 4 !== 0 || !BASE64.test(text) || bytes.toString('base64') !== text) {
      throw invalid('"master key" expected standard base64 with padding');
    }
    if (bytes.length !== KEY_BYTES) {
      throw invalid(`"master key" expected ${KEY_BYTES} bytes, got ${bytes.length}`);
    }
    return createMasterKey(bytes);
  } finally {
    bytes.fill(0);
  }
}

/** A master key from its 32 raw bytes (copied). */
export function createMasterKey(bytes: Uint8Array): MasterKey {
  if (!(bytes instanceof Uint8Array) || bytes.length !== KEY_BYTES) {
    throw invalid(
      `"master key" expected ${KEY_BYTES} bytes, got ${bytes instanceof Uint8Array ? bytes.length : 0}`,
    );
  }
  const key = createSecretKey(bytes);
  const id = `mk_${hmacSha256(key, MASTER_KEY_ID_INFO).toString('hex', 0, 8)}`;
  return new MasterKeyImpl(id, localCipher(key));
}

/** A master key held by a provider outside this process (its id computed by the provider). */
export function createProviderMasterKey(id: string, cipher: MasterKeyCipher): MasterKey {
  if (!MASTER_KEY_ID_PATTERN.test(id)) {
    throw new TelvaultError('ERR_CRYPTO_ARGUMENT', '"master key id" expected mk_ + 16 hex');
  }
  return new MasterKeyImpl(id, cipher);
}

/** Who holds a master key made here (`local` or `pkcs11`). */
export function masterKeyProvider(master: MasterKey): MasterKeyProvider {
  return masterKeyCipher(master).provider;
}

/** The cipher of a master key made here; anything else is an argument error. */
export function masterKeyCipher(master: MasterKey): MasterKeyCipher {
  const cipher = typeof master === 'object' && master !== null ? readCipher(master) : undefined;
  if (cipher === undefined) {
    throw new TelvaultError(
      'ERR_CRYPTO_ARGUMENT',
      '"master key" expected a MasterKey from parseMasterKey or a provider',
    );
  }
  return cipher;
}
