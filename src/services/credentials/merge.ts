// A credential PUT merged into what is stored: only the fields sent change, null removes a field.
// Pure: no keys, no I/O. Sealed fields are split into fresh values (to seal) and kept envelopes.
import { parseInput } from '../common/validation.js';
import { hintFor } from './fields.js';
import type { ProviderSpec } from './providers.js';

export interface StoredCredential {
  public: Record<string, string>;
  sealed: Record<string, string>;
  hints: Record<string, { last4: string }>;
}

export interface MergedCredential {
  /** Non-secret fields, stored as they are. */
  plain: Record<string, string>;
  /** Sealed fields sent in this request: plaintext to seal. */
  fresh: Record<string, string>;
  /** Sealed fields not sent: their stored envelopes. */
  kept: Record<string, string>;
  /** Hints (last4) for the secret fields after the merge. */
  hints: Record<string, { last4: string }>;
}

/** A parsed PUT body: every provider field is a string, or null to remove it. */
export type CredentialInput = Record<string, string | null | undefined>;

export const sealedFieldsOf = (spec: ProviderSpec): string[] => [
  ...spec.secretFields,
  ...spec.phoneFields,
];

/** Merges, then checks the result is complete for the provider (ERR_VALIDATION naming the field). */
export function mergeCredential(
  spec: ProviderSpec,
  stored: StoredCredential,
  input: Readonly<CredentialInput>,
): MergedCredential {
  const sealedFields = sealedFieldsOf(spec);
  const plain: Record<string, string> = { ...stored.public };
  const fresh: Record<string, string> = {};
  const kept: Record<string, string> = {};
  for (const f of sealedFields) if (stored.sealed[f] !== undefined) kept[f] = stored.sealed[f];
  for (const [f, v] of Object.entries(input)) {
    if (v === undefined) continue;
    if (v === null) {
      delete plain[f];
      delete kept[f];
    } else if (sealedFields.includes(f)) {
      delete kept[f];
      fresh[f] = v;
    } else {
      plain[f] = v;
    }
  }
  const presence: Record<string, string> = { ...plain, ...fresh };
  for (const f of Object.keys(kept)) presence[f] = '(set)';
  parseInput(spec.complete, presence);

  const hints: Record<string, { last4: string }> = {};
  for (const f of spec.secretFields) {
    const value = fresh[f];
    const h = value !== undefined ? hintFor(value) : kept[f] !== undefined ? stored.hints[f] : null;
    if (h !== null && h !== undefined) hints[f] = h;
  }
  return { plain, fresh, kept, hints };
}
