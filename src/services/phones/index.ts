// Phones: numbers normalized to E.164, sealed and blind-indexed, each with its own provider
// credentials.
export {
  DEFAULT_ALLOWED_NUMBER_TYPES,
  normalizePhoneNumber,
  PHONE_NORMALIZER_VERSION,
  PHONE_NUMBER_TYPES,
  type NormalizedPhone,
  type NormalizeOptions,
  type PhoneNumberType,
} from './phone-number.js';
