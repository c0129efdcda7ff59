import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** A SIP password as the emulator keeps it: salted HMAC-SHA256, never the value. */
export interface PasswordDigest {
  salt: string;
  hash: string;
}

export function digestPassword(password: string): PasswordDigest {
  const salt = randomBytes(16).toString('hex');
  return { salt, hash: hmac(salt, password) };
}

export function passwordMatches(digest: PasswordDigest, password: string): boolean {
  const expected = Buffer.from(digest.hash, 'hex');
  const actual = Buffer.from(hmac(digest.salt, password), 'hex');
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

function hmac(salt: string, password: string): string {
  return createHmac('sha256', salt).update(password, 'utf8').digest('hex');
}
