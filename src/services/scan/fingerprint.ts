// A finding's fingerprint: what an allowlist names to excuse one finding, and SARIF's
// partialFingerprints. It is computed ONLY from what the finding already prints (kind, file and
// the secret's first 4 characters), never from the rest of the secret. Why not a digest of the
// value, even salted: an allowlist is committed beside the code it excuses, and the scanner that
// checks it is public, so any salt or pepper it could use is public too. Whoever reads the file
// could then test a guess of the secret against it (hash the guess the same way, compare): a weak
// Exotel token, a password in a URL or a token known from another leak would be confirmed. A
// keyed HMAC needs a key the scanner does not have outside the repository. A fingerprint made of
// the printed parts confirms nothing beyond the report itself.
// The price, accepted: two secrets of one kind in one file with the same first 4 characters share
// a fingerprint (one entry excuses both), and so does a secret replaced by one with the same first
// 4 characters. The line is left out on purpose, so an entry survives edits above it, and so is
// the commit, so one entry covers a fixture in the working tree and in the commit that added it.
import { createHash } from 'node:crypto';
import type { SecretKind } from './secret-kinds.js';

/** Domain separation of the fingerprint. Stored in users' allowlists: do not change. */
const FINGERPRINT_DOMAIN = 'telvault/scan-fingerprint/v1';

/** Characters of a secret a finding shows; the rest is never printed, stored or hashed. */
export const PREVIEW_LENGTH = 4;

export function previewOf(value: string): string {
  return value.slice(0, PREVIEW_LENGTH);
}

/** 64 lowercase hex digits. */
export function fingerprintOf(kind: SecretKind, file: string, preview: string): string {
  return createHash('sha256')
    .update(JSON.stringify([FINGERPRINT_DOMAIN, kind, file, preview]), 'utf8')
    .digest('hex');
}

export const FINGERPRINT_PATTERN = /^[0-9a-f]{64}$/;
