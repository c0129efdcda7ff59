// The shape each imported value must have before it is imported. A CBC value opened with a wrong
// key passes the padding check about once in 256 tries and GCM-free schemes have no other
// integrity check: these rules are what catches it. Each returns the broken rule, never the value.
import { TelvaultError } from '../../errors.js';
import { normalizePhoneNumber, PHONE_NUMBER_TYPES } from '../phones/phone-number.js';

export type Shape = (value: string, record: Readonly<Record<string, string>>) => string | null;

/** Printable UTF-8: no control, format, surrogate, private-use or unassigned code points. */
const PRINTABLE = /^[^\p{C}]+$/u;

export const printable: Shape = (v) =>
  PRINTABLE.test(v) ? null : 'must be non-empty printable UTF-8';

const rule =
  (re: RegExp, text: string): Shape =>
  (v) =>
    re.test(v) ? null : text;

const all =
  (...shapes: Shape[]): Shape =>
  (v, r) => {
    for (const s of shapes) {
      const broken = s(v, r);
      if (broken !== null) return broken;
    }
    return null;
  };

export const token = all(
  printable,
  rule(/^[\x21-\x7e]{1,512}$/, 'must be 1 to 512 printable ASCII characters without spaces'),
);
export const sid = (prefix: string): Shape =>
  rule(new RegExp(`^${prefix}[0-9a-fA-F]{32}$`), `must be ${prefix} followed by 32 hex digits`);
export const hex32 = rule(/^[0-9a-fA-F]{32}$/, 'must be 32 hex digits');
export const sendgridKey = all(
  token,
  rule(/^SG\.[\x21-\x7e]+$/, 'must start with "SG." (a SendGrid API key)'),
);
export const email = rule(/^[^\s@]{1,64}@[^\s@]{1,189}\.[^\s@]{2,}$/, 'must be an email address');
export const exotelSid = rule(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1 to 64 of A-Z a-z 0-9 _ -');
export const hostname = rule(
  /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$/i,
  'must be a host name',
);
export const tag = rule(
  /^[a-z0-9][a-z0-9._:-]{0,63}$/,
  'must be 1 to 64 of a-z 0-9 . _ : - (lower case)',
);
export const country = rule(/^[A-Z]{2}$/, 'must be an ISO 3166 alpha-2 code (upper case)');
export const sipUsername = rule(
  /^[A-Za-z0-9._@+-]{1,32}$/,
  'must be 1 to 32 of A-Z a-z 0-9 . _ @ + - (a SIP username)',
);
/** Twilio's rule for SIP credential passwords (as the trunk routes take them). */
export const sipPassword = all(
  rule(/^[\x21-\x7e]{12,128}$/, 'must be 12 to 128 printable ASCII characters without spaces'),
  rule(/[0-9]/, 'must contain a digit'),
  rule(/[a-z]/, 'must contain a lower-case letter'),
  rule(/[A-Z]/, 'must contain an upper-case letter'),
);
export const secretName = rule(
  /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/,
  'must be 1 to 128 of A-Z a-z 0-9 . _ - (starting with a letter or digit)',
);

/** E.164 through the phones normalizer (a national number read in the record's `country`). */
export const phoneNumber: Shape = (v, r) => {
  try {
    normalizePhoneNumber(v, {
      defaultCountry: r['country'],
      allowedTypes: PHONE_NUMBER_TYPES,
      field: 'number',
    });
    return null;
  } catch (err) {
    if (!(err instanceof TelvaultError)) throw err;
    // The normalizer's message is `number: <rule>`: it names no value.
    return err.message.replace(/^number: /, '');
  }
};
