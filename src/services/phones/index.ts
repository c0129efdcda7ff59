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
export { createPhoneProviders, type PhoneProviders } from './phone-providers.js';
export { createPhoneService, type PhoneService, type SendingPhone } from './phone-service.js';
export type { PhoneExotelPublic, PhoneRetell } from './phone-views.js';
export {
  PHONE_PROVIDERS,
  phoneCreate,
  phoneListQuery,
  phoneLookup,
  phonePageView,
  phonePatch,
  phoneVerifyResult,
  phoneView,
  type PhoneCreate,
  type PhoneLookup,
  type PhonePatch,
  type PhoneProvider,
  type PhoneView,
} from './phone-schemas.js';
