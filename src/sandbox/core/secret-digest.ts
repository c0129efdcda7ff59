import { createHash } from 'node:crypto';

/**
 * How a secret appears in state dumps: a short SHA-256 prefix, enough to tell two values apart in
 * a test, useless to recover the value.
 */
export function secretDigest(value: string): string {
  return `sha256:${createHash('sha256').update(value, 'utf8').digest('hex').slice(0, 16)}`;
}
