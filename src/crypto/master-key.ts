// The master key (KEK): 32 bytes from base64, known by a fingerprint id. It only wraps keys;
// nothing is derived from it, so it can move to an HSM or KMS later.
import { createSecretKey, type KeyObject } from 'node:crypto';
import { TelvaultError } from './errors.js';
import { hmacSha256, KEY_BYTES } from './hkdf/subkeys.js';

export interface MasterKey {
  /** `mk_` + 16 hex of HMAC-SHA256(key, 'telvault/master-key-id/v1'): names the key, reveals nothing. */
  readonly id: string;
}

/** Stored format: do not change (ids are recorded with every wrapped key). */
export const MASTER_KEY_ID_INFO = 'telvault/master-key-id/v1';
export const MASTER_KEY_ID_PATTERN = /^mk_[0-9a-f]{16}$/;

let readKey: (master: MasterKey) => KeyObject | undefined;

class MasterKeyImpl implements MasterKey {
  readonly id: string;
  readonly #key: KeyObject;

  static {
    readKey = (master) => (#key in master ? master.#key : undefined);
  }

  constructor(id: string, key: KeyObject) {
    this.id = id;
    this.#key = key;
    Object.freeze(this);
  }

  toJSON(): { id: string } {
    return { id: this.id };
  }
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
  return new MasterKeyImpl(id, key);
}

/** The KeyObject of a master key made here; anything else is an argument error. */
export function masterKeyObject(master: MasterKey): KeyObject {
  const key = typeof master === 'object' && master !== null ? readKey(master) : undefined;
  if (key === undefined) {
    throw new TelvaultError(
      'ERR_CRYPTO_ARGUMENT',
      '"master key" expected a MasterKey from parseMasterKey',
    );
  }
  return key;
}
