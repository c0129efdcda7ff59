import { argumentError } from './failures.js';

/** A data key's id, as carried in every envelope. Not secret. */
export type KeyId = string & { readonly __brand: 'KeyId' };

// Stored format: do not change. The envelope parser relies on base64url never containing '.',
// so a key id may contain dots and still be split off unambiguously.
const KEY_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

export function isKeyId(value: string): value is KeyId {
  return KEY_ID_PATTERN.test(value);
}

/** Validates and brands a key id: 1 to 64 of `A-Z a-z 0-9 . _ -`. */
export function asKeyId(value: string): KeyId {
  if (typeof value !== 'string' || !isKeyId(value)) {
    throw argumentError('"key id" expected 1 to 64 characters of A-Z a-z 0-9 . _ -');
  }
  return value;
}
