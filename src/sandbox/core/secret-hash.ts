// Salted hashes for every secret an emulator must check but never keep (SIP passwords, auth
// tokens, API key secrets): any provider's store can use them.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** A secret as the sandbox keeps it: a random salt and HMAC-SHA256(salt, value), hex. */
export interface PasswordHash {
  salt: string;
  hash: string;
}

/** Keeps a secret (SIP password, auth token, API key secret) as a salted HMAC-SHA256 only. */
export function hashSecret(value: string): PasswordHash {
  const salt = randomBytes(16).toString('hex');
  return { salt, hash: hmac(salt, value) };
}

export function secretMatches(stored: PasswordHash, value: string): boolean {
  const expected = Buffer.from(stored.hash, 'hex');
  const actual = Buffer.from(hmac(stored.salt, value), 'hex');
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/** How a stored secret shows in the admin state dump: a prefix of its salted hash. */
export function hashView(stored: PasswordHash): string {
  return `hmac-sha256:${stored.hash.slice(0, 16)}`;
}

function hmac(salt: string, value: string): string {
  return createHmac('sha256', salt).update(value, 'utf8').digest('hex');
}
