// The available-numbers catalogue offers only numbers valid for their country and of the type
// asked, by libphonenumber-js (the default build the brief names, and /max, which the product's
// phone normalization uses and which alone can type IN numbers).
import { parsePhoneNumberWithError } from 'libphonenumber-js';
import { parsePhoneNumberWithError as parseMax } from 'libphonenumber-js/max';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CATALOGUE_COUNTRIES,
  availableNumbers,
  type NumberType,
} from '../../../src/sandbox/twilio/twilio-catalogue.js';
import { createTwilioStore } from '../../../src/sandbox/twilio/twilio-store.js';
import { startTestSandbox, twilioAccounts, type TestSandbox } from '../../support/sandbox.js';
import { rawSdk } from './twilio-test-kit.js';

const TYPES: readonly NumberType[] = ['Local', 'Mobile', 'TollFree'];
/** The libphonenumber types each catalogue type may have (undefined: it cannot tell). */
const ACCEPTED: Record<NumberType, readonly (string | undefined)[]> = {
  Local: ['FIXED_LINE', 'FIXED_LINE_OR_MOBILE', undefined],
  Mobile: ['MOBILE', 'FIXED_LINE_OR_MOBILE', undefined],
  TollFree: ['TOLL_FREE', undefined],
};

/** What is wrong with `e164` as a catalogue number of `country` and `type`, if anything. */
function problemOf(e164: string, country: string, type: NumberType): string | undefined {
  const plain = parsePhoneNumberWithError(e164);
  const max = parseMax(e164);
  if (!plain.isValid() || !max.isValid()) return `${e164} invalid`;
  // NANP shares +1: toll-free numbers read as US, and a US AreaCode may be Canadian.
  const nanp = ['US', 'CA'];
  if (nanp.includes(country) ? !nanp.includes(max.country ?? '') : max.country !== country) {
    return `${e164} is in ${max.country ?? '?'}`;
  }
  for (const kind of [plain.getType(), max.getType()]) {
    if (!ACCEPTED[type].includes(kind)) return `${e164} is ${kind ?? '?'}, asked ${type}`;
  }
  return undefined;
}

const emptyState = () => createTwilioStore(undefined).state;

describe('Twilio available-numbers catalogue', () => {
  it('offers only valid numbers of the asked type, for every country and type', () => {
    const problems: string[] = [];
    let checked = 0;
    for (const country of CATALOGUE_COUNTRIES) {
      for (const type of TYPES) {
        const offered = availableNumbers(emptyState(), country, type, {}, 100_000);
        expect(offered.length, `${country} ${type}`).toBeGreaterThanOrEqual(1000);
        for (const n of offered) {
          checked += 1;
          const problem = problemOf(n.phoneNumber, country, type);
          if (problem !== undefined) problems.push(problem);
        }
      }
    }
    expect(problems.slice(0, 10)).toEqual([]);
    expect(checked).toBeGreaterThan(15_000);
  });

  it('keeps NANP area codes and the no-numbers magic 533; AreaCode is US/CA only', () => {
    const local = (country: string, areaCode?: string) =>
      availableNumbers(emptyState(), country, 'Local', { areaCode }, 2).map((n) => n.phoneNumber);
    expect(local('US')).toEqual(['+14155550100', '+14155550101']);
    expect(local('US', '212')).toEqual(['+12125550100', '+12125550101']);
    expect(local('CA')).toEqual(['+16045550100', '+16045550101']);
    expect(local('US', '533')).toEqual([]);
    expect(local('GB')).toEqual(['+442079460000', '+442079460001']);
    expect(local('GB', '161')).toEqual(local('GB'));
    for (const areaCode of ['212', '646', '604', '416']) {
      for (const n of availableNumbers(emptyState(), 'US', 'Local', { areaCode }, 50)) {
        expect(parseMax(n.phoneNumber).isValid()).toBe(true);
      }
    }
  });

  describe('through the SDK', () => {
    let sb: TestSandbox;
    beforeAll(async () => {
      sb = await startTestSandbox();
    });
    afterAll(() => sb.close());

    it('serves the same valid numbers on the wire (a page of each country and type)', async () => {
      const { main } = twilioAccounts(sb.seed);
      const sdk = rawSdk(sb, main.sid, main.authToken);
      const problems: string[] = [];
      for (const country of CATALOGUE_COUNTRIES) {
        const lists = sdk.availablePhoneNumbers(country);
        const pages = {
          Local: await lists.local.list({ limit: 20 }),
          Mobile: await lists.mobile.list({ limit: 20 }),
          TollFree: await lists.tollFree.list({ limit: 20 }),
        };
        for (const type of TYPES) {
          expect(pages[type]).toHaveLength(20);
          for (const n of pages[type]) {
            expect(n.isoCountry).toBe(country);
            const problem = problemOf(n.phoneNumber, country, type);
            if (problem !== undefined) problems.push(problem);
          }
        }
      }
      expect(problems).toEqual([]);
    });
  });
});
