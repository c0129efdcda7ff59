import { TelvaultError } from './errors.js';

/**
 * The one opaque decryption error. Malformed, tampered, wrong key or wrong context all look the
 * same, so a caller (or an attacker probing an API) learns nothing about why.
 */
export function decryptionFailed(): TelvaultError {
  return new TelvaultError('ERR_CRYPTO_DECRYPT_FAILED', 'decryption failed');
}

/** An argument error of the form `"key" expected 32 bytes, got 16`; never echoes the value. */
export function argumentError(message: string): TelvaultError {
  return new TelvaultError('ERR_CRYPTO_ARGUMENT', message);
}

/** Throws unless `bytes` is a Uint8Array of exactly `length` bytes. */
export function assertBytes(
  name: string,
  bytes: unknown,
  length: number,
): asserts bytes is Uint8Array {
  if (!(bytes instanceof Uint8Array)) throw argumentError(`"${name}" expected a Uint8Array`);
  if (bytes.length !== length) {
    throw argumentError(`"${name}" expected ${length} bytes, got ${bytes.length}`);
  }
}

/** Throws unless `value` is an integer in [1, 2^32 - 1] (versions are stored as uint32). */
export function assertVersion(name: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 0xffff_ffff) {
    throw argumentError(`"${name}" expected an integer from 1 to 4294967295`);
  }
}
