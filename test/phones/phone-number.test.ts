// The phone-number normalizer, table-driven: the examples the phones issue and field report 004
// give, then numbers of libphonenumber's own example sets (and its metadata's ranges) over ten
// regions, typed as people type them, and the refusals with their exact codes and messages.
import { describe, expect, it } from 'vitest';
import { getExampleNumber, type CountryCode } from 'libphonenumber-js/max';
import mobileExamples from 'libphonenumber-js/mobile/examples';
import { normalizePhoneNumber, type PhoneNumberType } from '../../src/index.js';

type Accepted = [input: string, defaultCountry: string | undefined, e164: string, type: string];
type Refused = [input: string, defaultCountry: string | undefined, code: string, message: string];

/** An error message or exception text must never carry the number, nor four of its digits in a row. */
function expectNoDigitsOf(input: string, text: string): void {
  const digits = input.normalize('NFKC').replace(/\D/g, '');
  expect(text).not.toMatch(/\d{5,}/);
  for (let i = 0; i + 4 <= digits.length; i++) expect(text).not.toContain(digits.slice(i, i + 4));
}

function refusalOf(fn: () => unknown): { code: unknown; message: string; stack: string } {
  try {
    fn();
  } catch (err) {
    const e = err as { code?: unknown; message: string; stack?: string };
    return { code: e.code, message: e.message, stack: e.stack ?? '' };
  }
  throw new Error('expected a refusal');
}

describe('normalizePhoneNumber: accepted', () => {
  const accepted: Accepted[] = [
    // The examples (field report 004).
    ['0401148075', 'AU', '+61401148075', 'MOBILE'],
    ['+61401148075', undefined, '+61401148075', 'MOBILE'],
    ['4155550100', 'US', '+14155550100', 'FIXED_LINE_OR_MOBILE'],
    // Full-width plus, digits and spaces (NFKC folds them).
    [
      '\uff0b\uff11 \uff14\uff11\uff15 \uff15\uff15\uff15 \uff10\uff11\uff10\uff10',
      undefined,
      '+14155550100',
      'FIXED_LINE_OR_MOBILE',
    ],
    // US: national with parentheses, dots, dashes; a toll-free number with its trunk prefix.
    ['(201) 555-0123', 'US', '+12015550123', 'FIXED_LINE_OR_MOBILE'],
    ['415.555.0100', 'US', '+14155550100', 'FIXED_LINE_OR_MOBILE'],
    ['+1.415.555.0100', undefined, '+14155550100', 'FIXED_LINE_OR_MOBILE'],
    ['1-800-253-0000', 'US', '+18002530000', 'TOLL_FREE'],
    // An international number is read as such whatever the default region.
    ['+1 (415) 555-0100', 'DE', '+14155550100', 'FIXED_LINE_OR_MOBILE'],
    // GB: fixed line (national and international), mobile, toll free, VoIP, UAN.
    ['020 7183 8750', 'GB', '+442071838750', 'FIXED_LINE'],
    ['+44 20 7183 8750', undefined, '+442071838750', 'FIXED_LINE'],
    ['07400 123456', 'GB', '+447400123456', 'MOBILE'],
    ['0800 123 4567', 'GB', '+448001234567', 'TOLL_FREE'],
    ['+44 56 1234 5678', undefined, '+445612345678', 'VOIP'],
    ['+44 55 1234 5678', undefined, '+445512345678', 'UAN'],
    // IN: mobile, fixed line with its trunk 0, toll free.
    ['081234 56789', 'IN', '+918123456789', 'MOBILE'],
    ['+91 98765-43210', undefined, '+919876543210', 'MOBILE'],
    ['074104 10123', 'IN', '+917410410123', 'FIXED_LINE_OR_MOBILE'],
    ['1800 123 4567', 'IN', '+9118001234567', 'TOLL_FREE'],
    // AU: fixed line in parentheses, toll free, the trunk 0 written after the country code, and
    // the international prefix 0011 read with the region.
    ['(02) 1234 5678', 'AU', '+61212345678', 'FIXED_LINE'],
    ['1800 123 456', 'AU', '+611800123456', 'TOLL_FREE'],
    ['+61 (0) 401 148 075', undefined, '+61401148075', 'MOBILE'],
    ['0011 61 401 148 075', 'AU', '+61401148075', 'MOBILE'],
    // DE: fixed line, mobile, toll free; 00 as the international prefix of the region.
    ['030 123456', 'DE', '+4930123456', 'FIXED_LINE'],
    ['+49 1512 3456789', undefined, '+4915123456789', 'MOBILE'],
    ['0800 1234567', 'DE', '+498001234567', 'TOLL_FREE'],
    ['00 44 20 7183 8750', 'DE', '+442071838750', 'FIXED_LINE'],
    // BR: area code in parentheses, a dash in the subscriber number.
    ['(11) 2345-6789', 'BR', '+551123456789', 'FIXED_LINE'],
    ['+55 11 96123-4567', undefined, '+5511961234567', 'MOBILE'],
    ['0800 123 4567', 'BR', '+558001234567', 'TOLL_FREE'],
    // FR, JP, SG: a few more numbering plans.
    ['06 12 34 56 78', 'FR', '+33612345678', 'MOBILE'],
    ['+33 9 12 34 56 78', undefined, '+33912345678', 'VOIP'],
    ['03-1234-5678', 'JP', '+81312345678', 'FIXED_LINE'],
    ['+65 6123 4567', undefined, '+6561234567', 'FIXED_LINE'],
    // Odd spaces and dashes: no-break and ideographic spaces, narrow no-break and thin spaces,
    // non-breaking hyphens, minus signs, full-width parentheses.
    ['+61\u00a0401\u00a0148\u00a0075', undefined, '+61401148075', 'MOBILE'],
    ['+44\u202f20\u20097183\u20098750', undefined, '+442071838750', 'FIXED_LINE'],
    ['0401\u2011148\u2011075', 'AU', '+61401148075', 'MOBILE'],
    ['0401\u2212148\u2212075', 'AU', '+61401148075', 'MOBILE'],
    [
      '\uff08\uff10\uff12\uff09\u3000\uff11\uff12\uff13\uff14\u3000\uff15\uff16\uff17\uff18',
      'AU',
      '+61212345678',
      'FIXED_LINE',
    ],
    // Arabic-Indic digits (NFKC leaves them; libphonenumber reads them).
    [
      '\u0660\u0664\u0660\u0661\u0661\u0664\u0668\u0660\u0667\u0665',
      'AU',
      '+61401148075',
      'MOBILE',
    ],
    // The region option is read case-insensitively.
    ['0401148075', 'au', '+61401148075', 'MOBILE'],
  ];

  it.each(accepted)('%j (%s) is %s, %s', (input, defaultCountry, e164, type) => {
    const phone = normalizePhoneNumber(input, { defaultCountry });
    expect(phone).toMatchObject({ e164, type, normalizerVersion: 1 });
    // The national significant number is the E.164 number without its country code.
    expect(e164.endsWith(phone.nationalNumber)).toBe(true);
  });

  it.each([
    ['+61401148075', 'AU'],
    ['+1 415 555 0100', 'US'],
    ['+1 876 555 0100', 'JM'],
    ['+44 20 7183 8750', 'GB'],
    ['+8613800138000', 'CN'],
    ['+55 11 96123-4567', 'BR'],
  ])('%s is a number of %s', (input, country) => {
    expect(normalizePhoneNumber(input).country).toBe(country);
  });

  // libphonenumber's example mobile number of each region, national with the region and
  // international without: one number, one E.164 form.
  it.each(['US', 'GB', 'IN', 'AU', 'DE', 'BR', 'FR', 'JP', 'SG', 'NZ', 'ZA', 'CH'] as const)(
    'the example number of %s, national and international',
    (region: CountryCode) => {
      const example = getExampleNumber(region, mobileExamples);
      if (example === undefined) throw new Error(`no example number for ${region}`);
      const national = normalizePhoneNumber(example.formatNational(), { defaultCountry: region });
      const international = normalizePhoneNumber(example.formatInternational());
      expect(national).toEqual(international);
      expect(national).toMatchObject({ e164: example.number, country: region });
      expect(['MOBILE', 'FIXED_LINE_OR_MOBILE']).toContain(national.type);
    },
  );
});

describe('normalizePhoneNumber: refused', () => {
  const refused: Refused[] = [
    // Field report 004's "normalized" number: no such exchange in the US.
    ['4011480751', 'US', 'ERR_PHONE_INVALID', 'number: not a valid number for US'],
    ['+1 (401) 148-0751', undefined, 'ERR_PHONE_INVALID', 'number: not a valid number for US'],
    // No region to read a national number (or an international prefix, which is regional) in.
    ['0401148075', undefined, 'ERR_PHONE_INVALID', 'number: region required for a national number'],
    [
      '(415) 555-0100',
      undefined,
      'ERR_PHONE_INVALID',
      'number: region required for a national number',
    ],
    [
      '0044 20 7183 8750',
      undefined,
      'ERR_PHONE_INVALID',
      'number: region required for a national number',
    ],
    // Extensions, in the forms libphonenumber reads.
    ['+14155550100 ext. 12', undefined, 'ERR_PHONE_INVALID', 'number: extension not allowed'],
    ['0401 148 075 x12', 'AU', 'ERR_PHONE_INVALID', 'number: extension not allowed'],
    ['+61401148075;ext=12', undefined, 'ERR_PHONE_INVALID', 'number: extension not allowed'],
    // Premium rate and shared cost (toll fraud), personal and pager numbers: refused by default.
    [
      '+1 900 555 0100',
      undefined,
      'ERR_PHONE_TYPE_NOT_ALLOWED',
      'number: premium-rate numbers are not allowed',
    ],
    [
      '0901 234 5678',
      'GB',
      'ERR_PHONE_TYPE_NOT_ALLOWED',
      'number: premium-rate numbers are not allowed',
    ],
    [
      '0900 1 234567',
      'DE',
      'ERR_PHONE_TYPE_NOT_ALLOWED',
      'number: premium-rate numbers are not allowed',
    ],
    [
      '1900 123 456',
      'AU',
      'ERR_PHONE_TYPE_NOT_ALLOWED',
      'number: premium-rate numbers are not allowed',
    ],
    [
      '0180 2 123456',
      'DE',
      'ERR_PHONE_TYPE_NOT_ALLOWED',
      'number: shared-cost numbers are not allowed',
    ],
    [
      '1300 123 456',
      'AU',
      'ERR_PHONE_TYPE_NOT_ALLOWED',
      'number: shared-cost numbers are not allowed',
    ],
    [
      '1860 123 4567',
      'IN',
      'ERR_PHONE_TYPE_NOT_ALLOWED',
      'number: shared-cost numbers are not allowed',
    ],
    [
      '07012 345678',
      'GB',
      'ERR_PHONE_TYPE_NOT_ALLOWED',
      'number: personal-number numbers are not allowed',
    ],
    [
      '+44 76 2345 6789',
      undefined,
      'ERR_PHONE_TYPE_NOT_ALLOWED',
      'number: pager numbers are not allowed',
    ],
    // Not valid for the region: Ofcom's drama range, an unassigned US area code, one digit too many.
    ['+44 7700 900123', undefined, 'ERR_PHONE_INVALID', 'number: not a valid number for GB'],
    ['+1 700 234 5678', undefined, 'ERR_PHONE_INVALID', 'number: not a valid number for US'],
    ['+61 4011480751', undefined, 'ERR_PHONE_INVALID', 'number: not a valid number for AU'],
    // Too short and too long, for the region's lengths and for any number.
    ['+1 415', undefined, 'ERR_PHONE_INVALID', 'number: too short'],
    ['12', 'US', 'ERR_PHONE_INVALID', 'number: too short'],
    ['+91 1234', undefined, 'ERR_PHONE_INVALID', 'number: too short'],
    ['+1 415 555 01000', undefined, 'ERR_PHONE_INVALID', 'number: too long'],
    ['+49 30 1234567890123456', undefined, 'ERR_PHONE_INVALID', 'number: too long'],
    ['+1 415 555 0100 1234 5678', undefined, 'ERR_PHONE_INVALID', 'number: too long'],
    ['+61 ' + '4'.repeat(70), undefined, 'ERR_PHONE_INVALID', 'number: too long'],
    // No such country calling code.
    ['+999 1234567', undefined, 'ERR_PHONE_INVALID', 'number: invalid country calling code'],
    ['+80 123 456 789', undefined, 'ERR_PHONE_INVALID', 'number: invalid country calling code'],
    // Not a number at all.
    ['', 'US', 'ERR_PHONE_INVALID', 'number: must not be empty'],
    ['\u3000 ', 'US', 'ERR_PHONE_INVALID', 'number: must not be empty'],
    ['call me', 'US', 'ERR_PHONE_INVALID', 'number: not a phone number'],
    ['++14155550100', undefined, 'ERR_PHONE_INVALID', 'number: not a phone number'],
    // An unknown region option is the caller's validation error, naming `country`.
    ['0401148075', 'XX', 'ERR_VALIDATION', 'country: must be an ISO 3166 alpha-2 region'],
    ['0401148075', 'AUS', 'ERR_VALIDATION', 'country: must be an ISO 3166 alpha-2 region'],
  ];

  it.each(refused)('%j (%s) is refused: %s %s', (input, defaultCountry, code, message) => {
    const error = refusalOf(() => normalizePhoneNumber(input, { defaultCountry }));
    expect({ code: error.code, message: error.message }).toEqual({ code, message });
    expectNoDigitsOf(input, error.message);
    expectNoDigitsOf(input, error.stack.split('\n')[0] ?? '');
  });

  it('names the field it is given', () => {
    expect(() => normalizePhoneNumber('4011480751', { defaultCountry: 'US', field: 'to' })).toThrow(
      expect.objectContaining({
        code: 'ERR_PHONE_INVALID',
        message: 'to: not a valid number for US',
      }),
    );
  });
});

describe('normalizePhoneNumber: allowed types', () => {
  const allowed: [string, string | undefined, readonly PhoneNumberType[], string | undefined][] = [
    // Only mobiles: a fixed line, a toll-free number and an undecided US number are refused.
    ['+44 20 7183 8750', undefined, ['MOBILE'], 'number: fixed-line numbers are not allowed'],
    ['0800 1234567', 'DE', ['MOBILE'], 'number: toll-free numbers are not allowed'],
    [
      '+1 415 555 0100',
      undefined,
      ['MOBILE'],
      'number: fixed-line-or-mobile numbers are not allowed',
    ],
    ['0401148075', 'AU', ['MOBILE'], undefined],
    // A tenant that takes shared-cost numbers.
    ['1300 123 456', 'AU', ['SHARED_COST'], undefined],
    ['0180 2 123456', 'DE', [...(['FIXED_LINE', 'SHARED_COST'] as const)], undefined],
    // An empty list takes nothing.
    ['0401148075', 'AU', [], 'number: mobile numbers are not allowed'],
  ];

  it.each(allowed)('%s (%s) with %j', (input, defaultCountry, allowedTypes, message) => {
    const run = () => normalizePhoneNumber(input, { defaultCountry, allowedTypes });
    if (message === undefined) {
      expect(allowedTypes).toContain(run().type);
      return;
    }
    const error = refusalOf(run);
    expect(error).toMatchObject({ code: 'ERR_PHONE_TYPE_NOT_ALLOWED', message });
    expectNoDigitsOf(input, error.message);
  });
});
