// maskPhones on a table of texts: every way a phone number reaches a log line is masked (first
// digit and last four kept), and what operators and tests read in logs is left exactly as it is.
import { describe, expect, it } from 'vitest';
import { maskPhones } from '../../src/services/common/logger.js';

describe('maskPhones', () => {
  it.each([
    // E.164, anywhere in a text (the format of the existing masking).
    ['+14155554567', '+1******4567'],
    ['calling +919876543210 now', 'calling +9*******3210 now'],
    ['{"to":"+442071838750"}', '{"to":"+4*******8750"}'],
    ['/v1/tenants/t/phones/+61401148075', '/v1/tenants/t/phones/+6******8075'],
    // Percent-encoded plus, and percent-encoded or `+` separators, in URLs.
    ['?to=%2B61401148075', '?to=%2B6******8075'],
    ['?to=%2b14155550100&x=1', '?to=%2b1******0100&x=1'],
    ['?to=%2B1%20(415)%20555-0100', '?to=%2B1%20(***)%20***-0100'],
    ['?to=%2B61+401+148+075', '?to=%2B6*+***+**8+075'],
    ['/phones/+44%2020%207183%208750', '/phones/+4*%20**%20****%208750'],
    ['?to=%2B1%28415%29%20555%2D0100', '?to=%2B1%28***%29%20***%2D0100'],
    // Written with separators.
    ['+1 (415) 555-0100', '+1 (***) ***-0100'],
    ['+61 401 148 075', '+6* *** **8 075'],
    ['+44.20.7183.8750', '+4*.**.****.8750'],
    ['+49\u00a030\u00a0123456', '+4*\u00a0**\u00a0**3456'],
    // National numbers alone in a path segment, a query value or a sentence.
    ['?to=0401148075', '?to=0*****8075'],
    ['?n=4155550100&limit=10', '?n=4*****0100&limit=10'],
    ['/v1/lookup/0401148075/x', '/v1/lookup/0*****8075/x'],
    ['?q=a%200401148075%20b', '?q=a%200*****8075%20b'],
    ['from 02071838750.', 'from 0******8750.'],
    ['number "0401148075" refused', 'number "0*****8075" refused'],
    // The longest number E.164 allows, 15 digits.
    ['+861234567890123', '+8**********0123'],
    ['?n=861234567890123', '?n=8**********0123'],
  ])('masks %j', (text, masked) => {
    expect(maskPhones(text)).toBe(masked);
    // Masking twice changes nothing (the req serializer and the log formatter both run it).
    expect(maskPhones(masked)).toBe(masked);
  });

  it.each([
    // Ids: UUIDv7 and v4 with all-digit groups, request ids, tenant paths.
    '01940312-1234-7567-8901-234567890123',
    '/v1/tenants/01940312-1234-7567-8901-234567890123/credentials?limit=50',
    'req-abc-12345678',
    'req_20261201_192238',
    'a51145e5-329d-4699-b58b-830412345678',
    // Timestamps, times, durations, decimals, versions.
    '2026-12-01T19:22:38.123Z',
    '2026-12-01 19:22:38+00:00',
    'took 12.156679999999596 ms',
    'v1.13.16',
    'bi1.k3.n1.5f4dcc3b5aa765d61d8327deb882cf99',
    'time:1796153121509',
    // Addresses and ports.
    'Server listening at http://127.0.0.1:40083',
    'http://[::1]:8080/readyz',
    // Hashes, tokens, base64url cursors.
    '5f4dcc3b5aa765d61d8327deb882cf99',
    'sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
    'tvk_01234567890123_abcdef',
    'tvr_4f1b2b0b822cd15d6c15b0f00a08',
    'czoxMjM0NTY3ODk',
    // Too short or too long to be a number, or a digit run inside a word.
    'no number here 12345',
    '+1234567',
    '?n=1234567',
    '+12345678901234567',
    '?n=12345678901234567',
    'order A12345678 shipped',
    'id 12345678-aaaa',
    'ts 1796153121.509',
    'limits: 1000 per 60 s, +5 retries',
  ])('leaves %j as it is', (text) => {
    expect(maskPhones(text)).toBe(text);
  });
});
