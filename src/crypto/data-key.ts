// A tenant data key: id, version, and the envelope subkey derived from it once.
import type { KeyObject } from 'node:crypto';
import { encodeAadPrefix } from './aad.js';
import { argumentError, assertBytes, assertVersion } from './failures.js';
import { deriveSubkey, KEY_BYTES } from './hkdf/subkeys.js';
import { asKeyId, type KeyId } from './key-id.js';

export interface DataKey {
  readonly id: KeyId;
  readonly version: number;
}

/** What the envelope code needs, precomputed once per key. */
export interface DataKeyInternals {
  readonly subkey: KeyObject;
  /** The AAD bytes that depend only on the key (domain, key id, version). */
  readonly aadPrefix: Buffer;
  /** `tv1.<keyId>.`, the envelope text before the payload. */
  readonly header: string;
}

let readInternals: (key: DataKey) => DataKeyInternals | undefined;

class DataKeyImpl implements DataKey {
  readonly id: KeyId;
  readonly version: number;
  readonly #internals: DataKeyInternals;

  static {
    readInternals = (key) => (#internals in key ? key.#internals : undefined);
  }

  constructor(id: KeyId, version: number, internals: DataKeyInternals) {
    this.id = id;
    this.version = version;
    this.#internals = internals;
    Object.freeze(this);
  }

  toJSON(): { id: KeyId; version: number } {
    return { id: this.id, version: this.version };
  }
}

/**
 * Builds a data key from its 32 random bytes (the unwrapped data key). The envelope subkey is
 * derived here with HKDF-SHA256, once; `material` is not kept.
 */
export function createDataKey(id: KeyId, version: number, material: Uint8Array): DataKey {
  const keyId = asKeyId(id);
  assertVersion('key version', version);
  assertBytes('data key', material, KEY_BYTES);
  return new DataKeyImpl(keyId, version, {
    subkey: deriveSubkey(material, 'envelope'),
    aadPrefix: encodeAadPrefix(keyId, version),
    header: `tv1.${keyId}.`,
  });
}

/** The internals of a key made by createDataKey; anything else is an argument error. */
export function dataKeyInternals(key: DataKey): DataKeyInternals {
  const internals = typeof key === 'object' && key !== null ? readInternals(key) : undefined;
  if (internals === undefined) throw argumentError('"key" expected a DataKey from createDataKey');
  return internals;
}
