// The available-numbers catalogue: deterministic numbers per country, type and area code, minus
// those already owned by any account. Twilio's test magic: AreaCode 533 has no numbers (21452).
import { invalidParam } from './twilio-format.js';
import type { TwilioState } from './twilio-store.js';

export type NumberType = 'Local' | 'TollFree' | 'Mobile';

interface CountryPlan {
  dial: string;
  defaultArea: string;
  tollFree: string;
  mobile: string;
}

const COUNTRIES: Record<string, CountryPlan> = {
  US: { dial: '1', defaultArea: '415', tollFree: '800', mobile: '415' },
  CA: { dial: '1', defaultArea: '604', tollFree: '888', mobile: '604' },
  GB: { dial: '44', defaultArea: '20', tollFree: '800', mobile: '7700' },
  IN: { dial: '91', defaultArea: '80', tollFree: '1800', mobile: '98' },
  AU: { dial: '61', defaultArea: '2', tollFree: '1800', mobile: '4' },
};

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
  if (plan === undefined || filters.areaCode === NO_NUMBERS_AREA_CODE) return [];
  const prefix =
    type === 'TollFree'
      ? plan.tollFree
      : type === 'Mobile'
        ? plan.mobile
        : (filters.areaCode ?? plan.defaultArea);
  const owned = new Set([...state.numbers.values()].map((n) => n.phoneNumber));
  const contains = filters.contains?.replace(/[^0-9]/g, '');
  const out: AvailableNumber[] = [];
  for (let i = 100; i < 10_000 && out.length < limit; i += 1) {
    const national = `${prefix}555${String(i).padStart(4, '0')}`;
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
