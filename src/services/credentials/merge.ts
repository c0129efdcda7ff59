// A credential PUT merged into what is stored: only the fields sent change, null removes a field.
// Pure: no keys, no I/O. Sealed fields are split into fresh values (to seal) and kept envelopes.
import type { z } from 'zod';
import { isSecret, type Secret } from '../../crypto/index.js';
import { TelvaultError } from '../../errors.js';
import { hintFor } from '../common/secret-field.js';
import { describeIssues, parseChecked } from '../common/validation.js';
import type { ProviderSpec } from './providers.js';

export interface StoredCredential {
  public: Record<string, string>;
  /** Field → envelope. */
  sealed: Readonly<Record<string, string>>;
  hints: Record<string, { last4: string }>;
}

export interface MergedCredential {
  /** Non-secret fields, stored as they are. */
  plain: Record<string, string>;
  /** Sealed fields sent in this request: plaintext to seal. */
  fresh: Record<string, Secret<string>>;
  /** Sealed fields not sent: kept as stored. */
  kept: string[];
  /** Hints (last4) for the secret fields after the merge. */
  hints: Record<string, { last4: string }>;
}

/**
 * A parsed PUT body: each public field a string, each sealed field a `Secret`, null to remove a
 * field. Branded: only a provider's input schema (providers.ts) makes one, so the service trusts it.
 */
export type CredentialInput = Readonly<Record<string, string | Secret<string> | null | undefined>> &
  z.$brand<'CredentialInput'>;

export const sealedFieldsOf = (spec: ProviderSpec): string[] => [
  ...spec.secretFields,
  ...spec.phoneFields,
];

/** A changed identity field whose stored secrets were not sent again: one issue per secret. */
function identityIssues(
  spec: ProviderSpec,
  stored: StoredCredential,
  input: Readonly<CredentialInput>,
  kept: readonly string[],
): z.core.$ZodIssue[] {
  const issues: z.core.$ZodIssue[] = [];
  for (const [field, secrets] of Object.entries(spec.identity)) {
    const sent = input[field];
    const before = stored.public[field];
    if (typeof sent !== 'string' || before === undefined || sent === before) continue;
    for (const secret of secrets) {
      if (!kept.includes(secret) || input[secret] !== undefined) continue;
      issues.push({
        code: 'custom',
        path: [secret],
        message: `is required when ${field} changes (the stored one belongs to the previous ${field})`,
        input: undefined,
      });
    }
  }
  return issues;
}

/** Merges, then checks the result is complete for the provider (ERR_VALIDATION naming the field). */
export function mergeCredential(
  spec: ProviderSpec,
  stored: StoredCredential,
  input: Readonly<CredentialInput>,
): MergedCredential {
  const sealedFields = sealedFieldsOf(spec);
  const plain: Record<string, string> = { ...stored.public };
  const fresh: Record<string, Secret<string>> = {};
  const kept = new Set(sealedFields.filter((f) => stored.sealed[f] !== undefined));
  for (const [f, v] of Object.entries(input)) {
    if (v === undefined) continue;
    if (v === null) {
      delete plain[f];
      kept.delete(f);
    } else if (isSecret(v)) {
      kept.delete(f);
      fresh[f] = v;
    } else {
      plain[f] = v;
    }
  }
  const issues = identityIssues(spec, stored, input, [...kept]);
  if (issues.length > 0) throw new TelvaultError('ERR_VALIDATION', describeIssues(issues, 'body'));
  const presence: Record<string, string> = { ...plain };
  for (const f of [...Object.keys(fresh), ...kept]) presence[f] = '(set)';
  parseChecked(spec.complete, presence); // built from parsed input: the text rules held

  const hints: Record<string, { last4: string }> = {};
  for (const f of spec.secretFields) {
    const value = fresh[f];
    const h = value !== undefined ? hintFor(value.reveal()) : kept.has(f) ? stored.hints[f] : null;
    if (h !== null && h !== undefined) hints[f] = h;
  }
  return { plain, fresh, kept: [...kept], hints };
}
