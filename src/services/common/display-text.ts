// Names and labels a person reads (tenant and token names, phone labels, Retell nicknames): the
// Unicode bidirectional controls are refused there. They have no use in a name, and shown as they
// are they reorder what follows (`safe\u202Egnp.exe` reads as `safe…exe.png`, and a reversal spills
// past the quote that closes the name in a confirmation dialog). Unicode TR #9: the embeddings
// and overrides U+202A–U+202E and the isolates U+2066–U+2069.
import { z } from 'zod';

export const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/;

export const BIDI_RULE =
  'must not contain bidirectional control characters (U+202A to U+202E, U+2066 to U+2069)';

/** A display string of 1 to `max` characters (trimmed first when `trim`), without bidi controls. */
export function displayText(max: number, opts: { trim?: boolean; required?: boolean } = {}) {
  const base = z.string({
    error: opts.required === true ? 'is required and must be a string' : 'must be a string',
  });
  return (opts.trim === true ? base.trim() : base)
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`)
    .refine((s) => !BIDI_CONTROLS.test(s), BIDI_RULE);
}
