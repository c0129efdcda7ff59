// Phone numbers normalized to E.164 before they are sealed or blind-indexed: libphonenumber-js with
// its full ("max") metadata, so a number is checked against its region's real numbering plan, not
// only its length. One function for the API, the importer and library users.
import {
  isSupportedCountry,
  parsePhoneNumberWithError,
  ParseError,
  validatePhoneNumberLength,
  type CountryCode,
  type NumberType,
} from 'libphonenumber-js/max';
import { TelvaultError } from '../../errors.js';
import './errors.js';

/**
 * The normalization rules' version, carried in every blind index of a number (`bi1.k….n<v>.…`).
 * Stored-format relevant: a change to the rules below is a new version and a re-index, never
 * silently different indexes. Do not change without that.
 */
export const PHONE_NORMALIZER_VERSION = 1;

/** libphonenumber's number types, and UNKNOWN for a number it cannot type. */
export const PHONE_NUMBER_TYPES = [
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
] as const satisfies readonly (NonNullable<NumberType> | 'UNKNOWN')[];
export type PhoneNumberType = (typeof PHONE_NUMBER_TYPES)[number];

/**
 * Allowed unless a tenant's settings say otherwise. Premium-rate and shared-cost numbers are
 * refused (toll fraud), and so are personal, pager and voicemail numbers and untyped ones.
 */
export const DEFAULT_ALLOWED_NUMBER_TYPES: readonly PhoneNumberType[] = [
  'MOBILE',
  'FIXED_LINE',
  'FIXED_LINE_OR_MOBILE',
  'TOLL_FREE',
  'VOIP',
  'UAN',
];

export interface NormalizeOptions {
  /** ISO 3166 alpha-2 region a national number is read in (the request's, else the tenant's). */
  defaultCountry?: string | undefined;
  /** The number types accepted (default DEFAULT_ALLOWED_NUMBER_TYPES). */
  allowedTypes?: readonly PhoneNumberType[] | undefined;
  /** The field named in an error (default `number`). */
  field?: string | undefined;
}

export interface NormalizedPhone {
  /** `+` and digits: what is sealed and blind-indexed. */
  e164: string;
  /** ISO 3166 alpha-2 region of the number. */
  country: string;
  type: PhoneNumberType;
  /** The national significant number (no trunk prefix), e.g. for raw-storage canaries. */
  nationalNumber: string;
  normalizerVersion: number;
}

const PARSE_REASONS: Record<string, string> = {
  INVALID_COUNTRY: 'invalid country calling code',
  NOT_A_NUMBER: 'not a phone number',
  TOO_SHORT: 'too short',
  TOO_LONG: 'too long',
  INVALID_LENGTH: 'invalid length',
};

const MAX_INPUT = 64;

function invalid(field: string, reason: string): TelvaultError {
  return new TelvaultError('ERR_PHONE_INVALID', `${field}: ${reason}`);
}

/** The region option, checked: an unknown one is the caller's error, named as such. */
function regionOf(value: string | undefined, field: string): CountryCode | undefined {
  if (value === undefined) return undefined;
  const upper = value.toUpperCase();
  if (!isSupportedCountry(upper)) {
    throw new TelvaultError('ERR_VALIDATION', `${field}: must be an ISO 3166 alpha-2 region`);
  }
  return upper;
}

/**
 * Normalizes a number typed in any common format to E.164 and checks it: valid for its region, no
 * extension, an allowed type. Errors name the field and the rule (ERR_PHONE_INVALID,
 * ERR_PHONE_TYPE_NOT_ALLOWED), never the number.
 */
export function normalizePhoneNumber(
  input: string,
  options: NormalizeOptions = {},
): NormalizedPhone {
  const field = options.field ?? 'number';
  const region = regionOf(options.defaultCountry, 'country');
  // Full-width digits, non-breaking and odd spaces, dashes: NFKC folds them to ASCII forms.
  const text = input.normalize('NFKC').trim();
  if (text.length === 0) throw invalid(field, 'must not be empty');
  if (text.length > MAX_INPUT) throw invalid(field, 'too long');
  // An international prefix (`00…`, `011…`) differs by region too: without one it cannot be read.
  if (!text.startsWith('+') && region === undefined) {
    throw invalid(field, 'region required for a national number');
  }
  const parseOptions = region === undefined ? undefined : { defaultCountry: region };
  let parsed;
  try {
    parsed = parsePhoneNumberWithError(text, parseOptions);
  } catch (err) {
    if (err instanceof ParseError)
      throw invalid(field, PARSE_REASONS[err.message] ?? 'not a phone number');
    throw err;
  }
  if (parsed.ext !== undefined) throw invalid(field, 'extension not allowed');
  const country = parsed.country ?? parsed.getPossibleCountries()[0] ?? region;
  if (!parsed.isValid()) {
    // The parse throws on length only at its outer bounds; the region's own lengths say more.
    const length = validatePhoneNumberLength(text, parseOptions);
    if (length === 'TOO_SHORT') throw invalid(field, 'too short');
    if (length === 'TOO_LONG') throw invalid(field, 'too long');
    throw invalid(
      field,
      country === undefined ? 'not a valid number' : `not a valid number for ${country}`,
    );
  }
  const type: PhoneNumberType = parsed.getType() ?? 'UNKNOWN';
  const allowed = options.allowedTypes ?? DEFAULT_ALLOWED_NUMBER_TYPES;
  if (!allowed.includes(type)) {
    throw new TelvaultError(
      'ERR_PHONE_TYPE_NOT_ALLOWED',
      `${field}: ${type.toLowerCase().replaceAll('_', '-')} numbers are not allowed`,
    );
  }
  return {
    e164: parsed.number,
    country: parsed.country ?? country ?? '',
    type,
    nationalNumber: parsed.nationalNumber,
    normalizerVersion: PHONE_NORMALIZER_VERSION,
  };
}
