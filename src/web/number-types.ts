// libphonenumber's number types as the console shows them: in words, never the API's constants.
export const NUMBER_TYPES = [
  'MOBILE',
  'FIXED_LINE',
  'FIXED_LINE_OR_MOBILE',
  'TOLL_FREE',
  'VOIP',
  'UAN',
  'PREMIUM_RATE',
  'SHARED_COST',
  'PERSONAL_NUMBER',
  'PAGER',
  'VOICEMAIL',
  'UNKNOWN',
] as const;
export type NumberType = (typeof NUMBER_TYPES)[number];

const WORDS: Record<NumberType, string> = {
  MOBILE: 'mobile',
  FIXED_LINE: 'fixed line',
  FIXED_LINE_OR_MOBILE: 'mobile or fixed line',
  TOLL_FREE: 'toll-free',
  VOIP: 'VoIP',
  UAN: 'universal access number',
  PREMIUM_RATE: 'premium rate',
  SHARED_COST: 'shared cost',
  PERSONAL_NUMBER: 'personal number',
  PAGER: 'pager',
  VOICEMAIL: 'voicemail',
  UNKNOWN: 'unknown type',
};

/** A type in words; one this console does not know yet, in lower case with spaces. */
export function numberTypeWords(type: string): string {
  return (
    (WORDS as Record<string, string | undefined>)[type] ?? type.toLowerCase().replace(/_/g, ' ')
  );
}
