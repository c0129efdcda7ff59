// Write-only values at the edge and in views: a secret is wrapped in `Secret` by the schema that
// parses it, and is shown back only as { set, last4? }. Shared by credentials, secrets, phones.
import { z } from 'zod';
import { Secret } from '../../crypto/index.js';

/** Parses like `schema`, then wraps the value, so the plaintext never travels as a bare string. */
export const asSecret = <S extends z.ZodType<string>>(schema: S) =>
  schema.transform((v: string) => new Secret(v));

/** A hint is four characters (Unicode code points) of printable text, or no hint at all. */
const HINT = /^[\p{L}\p{N}\p{P}\p{S}]{4}$/u;

/** Whether a stored hint can be shown: one made by an older rule that cannot is left out. */
export function isShowableHint(hint: unknown): hint is string {
  return typeof hint === 'string' && HINT.test(hint);
}

/** View of a secret field: whether it is set and, for long secrets only, its last four characters. */
export const secretFieldView = z
  .object({
    set: z.literal(true),
    last4: z
      .string()
      .refine(isShowableHint, 'must be four printable characters')
      .optional()
      .describe('The last four characters (Unicode code points) of a secret of 16 or more.'),
  })
  .meta({ description: 'A write-only secret: never returned, only whether it is set.' });

export type SecretFieldView = z.infer<typeof secretFieldView>;

/** A secret's hint is kept only when the secret is long enough that four characters reveal little. */
export const LAST4_MIN_LENGTH = 16;

/**
 * The last four code points of a secret of at least 16, when they are printable (letters, digits,
 * punctuation, symbols); else no hint. By code points, not UTF-16 units, so an emoji is never cut
 * in half; never whitespace, controls or combining marks, which a view could not show plainly.
 */
export function hintFor(value: string): { last4: string } | null {
  const chars = Array.from(value);
  if (chars.length < LAST4_MIN_LENGTH) return null;
  const last4 = chars.slice(-4).join('');
  return isShowableHint(last4) ? { last4 } : null;
}

/** The view of a stored secret field: its hint only if it can be shown. */
export function secretFieldViewOf(hint: unknown): SecretFieldView {
  return isShowableHint(hint) ? { set: true, last4: hint } : { set: true };
}
