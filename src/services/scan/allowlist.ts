// The allowlist file: one fingerprint per line (as the scan prints them), `#` starts a comment.
// A line that is not a fingerprint is refused by its number only: its text is not echoed, since
// someone may have pasted the secret itself there.
import { readFile } from 'node:fs/promises';
import { TelvaultError } from '../../errors.js';
import { FINGERPRINT_PATTERN } from './fingerprint.js';

export function parseAllowlist(text: string): Set<string> {
  const fingerprints = new Set<string>();
  text.split('\n').forEach((raw, i) => {
    const hash = raw.indexOf('#');
    const entry = (hash === -1 ? raw : raw.slice(0, hash)).trim().toLowerCase();
    if (entry === '') return;
    if (!FINGERPRINT_PATTERN.test(entry)) {
      throw new TelvaultError(
        'ERR_SCAN_ALLOWLIST_INVALID',
        `allowlist line ${i + 1}: must be a fingerprint (64 hex digits), optionally followed by # and a comment`,
      );
    }
    fingerprints.add(entry);
  });
  return fingerprints;
}

export async function readAllowlist(file: string): Promise<Set<string>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new TelvaultError(
      'ERR_SCAN_ALLOWLIST_INVALID',
      `allowlist: cannot read ${file} (${code})`,
    );
  }
  return parseAllowlist(text);
}
