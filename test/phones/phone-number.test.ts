// The phone-number normalizer: the examples the phones issue and field report 004 give.
import { describe, expect, it } from 'vitest';
import { normalizePhoneNumber } from '../../src/index.js';

describe('normalizePhoneNumber', () => {
  it.each([
    ['0401148075', 'AU', '+61401148075', 'MOBILE'],
    ['+61401148075', undefined, '+61401148075', 'MOBILE'],
    ['4155550100', 'US', '+14155550100', 'FIXED_LINE_OR_MOBILE'],
    [
      '\uff0b\uff11 \uff14\uff11\uff15 \uff15\uff15\uff15 \uff10\uff11\uff10\uff10',
      undefined,
      '+14155550100',
      'FIXED_LINE_OR_MOBILE',
    ],
  ])('%s (%s) is %s', (input, defaultCountry, e164, type) => {
    expect(normalizePhoneNumber(input, { defaultCountry })).toMatchObject({ e164, type });
  });

  it.each([
    ['4011480751', 'US', 'ERR_PHONE_INVALID', 'number: not a valid number for US'],
    ['+1 (401) 148-0751', undefined, 'ERR_PHONE_INVALID', 'number: not a valid number for US'],
    ['0401148075', undefined, 'ERR_PHONE_INVALID', 'number: region required for a national number'],
    ['+14155550100 ext. 12', undefined, 'ERR_PHONE_INVALID', 'number: extension not allowed'],
    [
      '+1 900 555 0100',
      undefined,
      'ERR_PHONE_TYPE_NOT_ALLOWED',
      'number: premium-rate numbers are not allowed',
    ],
  ])('%s (%s) is refused: %s', (input, defaultCountry, code, message) => {
    expect(() => normalizePhoneNumber(input, { defaultCountry })).toThrow(
      expect.objectContaining({ code, message }),
    );
  });
});
