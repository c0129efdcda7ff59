// The available-numbers catalogue: deterministic numbers per country, type and area code, minus
// those already owned by any account. Twilio's test magic: AreaCode 533 has no numbers (21452).
// Every number offered is valid for its country and of the type asked (libphonenumber-js/max:
// test/sandbox/twilio/catalogue.test.ts), so the product's own number checks accept them.
import { invalidParam } from './twilio-format.js';
import type { TwilioState } from './twilio-store.js';

export type NumberType = 'Local' | 'TollFree' | 'Mobile';

/** A block of numbers: national digits `prefix` + a `digits`-long suffix from `first` up. */
interface NumberBlock {
  prefix: string;
  digits: number;
  first: number;
}

/** NANP (US, CA): `<area code>555xxxx`, AreaCode picks a Local area; elsewhere one block a type. */
type CountryPlan =
  | { dial: string; nanp: { defaultArea: string; mobileArea: string; tollFree: string } }
  | { dial: string; blocks: Record<NumberType, NumberBlock> };

const nanpBlock = (area: string): NumberBlock => ({ prefix: `${area}555`, digits: 4, first: 100 });
const block = (prefix: string, digits: number): NumberBlock => ({ prefix, digits, first: 0 });

// Outside NANP, ranges set aside for drama where libphonenumber accepts them (Ofcom 020 7946 0xxx
// and 0808 157 0xxx; ACMA 02 5550 xxxx, 0491 570 xxx and 1800 160 xxx). Ofcom's mobile drama
// range 07700 900xxx fails libphonenumber's check, hence 07700 100xxx. The sandbox never dials.
const COUNTRIES: Record<string, CountryPlan> = {
  US: { dial: '1', nanp: { defaultArea: '415', mobileArea: '415', tollFree: '800' } },
  CA: { dial: '1', nanp: { defaultArea: '604', mobileArea: '604', tollFree: '888' } },
  GB: {
    dial: '44',
    blocks: {
      Local: block('2079460', 3),
      Mobile: block('7700100', 3),
      TollFree: block('8081570', 3),
    },
  },
  IN: {
    dial: '91',
    blocks: {
      Local: block('8055500', 3),
      Mobile: block('985550', 4),
      TollFree: block('18005550', 3),
    },
  },
  AU: {
    dial: '61',
    blocks: { Local: block('25550', 4), Mobile: block('491570', 3), TollFree: block('1800160', 3) },
  },
};

export const CATALOGUE_COUNTRIES: readonly string[] = Object.keys(COUNTRIES);

export const NO_NUMBERS_AREA_CODE = '533';

export function countryPlan(country: string): CountryPlan | undefined {
  return COUNTRIES[country];
}

export interface AvailableNumber {
  phoneNumber: string;
  country: string;
  region: string;
  locality: string;
}

export function formatFriendly(e164: string): string {
  const m = /^\+1(\d{3})(\d{3})(\d{4})$/.exec(e164);
  return m === null ? e164 : `(${m[1]}) ${m[2]}-${m[3]}`;
}

/** AreaCode "applies to only phone numbers in the US and Canada" (spec): elsewhere it is ignored. */
function blockFor(plan: CountryPlan, type: NumberType, areaCode: string | undefined): NumberBlock {
  if (!('nanp' in plan)) return plan.blocks[type];
  if (type === 'TollFree') return nanpBlock(plan.nanp.tollFree);
  if (type === 'Mobile') return nanpBlock(plan.nanp.mobileArea);
  return nanpBlock(areaCode ?? plan.nanp.defaultArea);
}

/** Up to `limit` numbers, in a stable order, that nobody owns yet. */
export function availableNumbers(
  state: TwilioState,
  country: string,
  type: NumberType,
  filters: { areaCode?: string | undefined; contains?: string | undefined },
  limit: number,
): AvailableNumber[] {
  const plan = COUNTRIES[country];
  if (filters.areaCode !== undefined && !/^\d{1,5}$/.test(filters.areaCode)) {
    throw invalidParam('AreaCode must be digits.');
  }
  if (plan === undefined) return [];
  if ('nanp' in plan && filters.areaCode === NO_NUMBERS_AREA_CODE) return [];
  const { prefix, digits, first } = blockFor(plan, type, filters.areaCode);
  const owned = new Set([...state.numbers.values()].map((n) => n.phoneNumber));
  const contains = filters.contains?.replace(/[^0-9]/g, '');
  const out: AvailableNumber[] = [];
  for (let i = first; i < 10 ** digits && out.length < limit; i += 1) {
    const national = `${prefix}${String(i).padStart(digits, '0')}`;
    const phoneNumber = `+${plan.dial}${national}`;
    if (owned.has(phoneNumber)) continue;
    if (contains !== undefined && contains !== '' && !national.includes(contains)) continue;
    out.push({
      phoneNumber,
      country,
      region: country === 'US' ? 'CA' : country,
      locality: 'Sandbox',
    });
  }
  return out;
}
