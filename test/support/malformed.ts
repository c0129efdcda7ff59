// Generators of malformed input shared by the malformed-input property tests: values of the wrong
// type, and strings that break a field whose valid value is known.
import fc from 'fast-check';

/** Characters no credential or phone field accepts: space, control, non-ASCII, lone surrogates. */
export const ODD = [' ', '\u0000', '\u00e9', '\u{1F600}', '\u202e', '\n', '\ud800', '\udc00', '\t'];

/** A JSON value that is not a string. */
export const nonString = fc.oneof(
  fc.integer(),
  // NaN and ±Infinity serialise to JSON null, which is a valid value ("remove this field").
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 2 }),
);

/**
 * A string that breaks a field whose valid value is `valid`: empty, an odd character inserted
 * (`odd` adds field-specific ones), or far too long (at least `tooLongBy` more characters).
 */
export const brokenString = (
  valid: string,
  options: { odd?: readonly string[]; tooLongBy?: number } = {},
) =>
  fc.oneof(
    fc.constant(''),
    fc
      .tuple(fc.constantFrom(...ODD, ...(options.odd ?? [])), fc.nat({ max: valid.length }))
      .map(([ch, at]) => valid.slice(0, at) + ch + valid.slice(at)),
    fc.integer({ min: options.tooLongBy ?? 600, max: 60_000 }).map((n) => valid + 'x'.repeat(n)),
  );
