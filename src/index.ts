// The library entry: the services platforms embed in their own Node back end. Named exports only.

// Encryption core (src/crypto): envelopes, keys, blind index, legacy decoders, errors.
export {
  asKeyId,
  computeBlindIndex,
  createBlindIndexKey,
  createDataKey,
  createKeyring,
  createLegacyDecoder,
  createRateLimitKeyer,
  decodeLegacy,
  envelopeKeyId,
  generateKeyMaterial,
  isEnvelope,
  isSecret,
  openField,
  openFieldText,
  parseMasterKey,
  sealField,
  Secret,
  TelvaultError,
  unwrapKey,
  wrapKey,
  wrappedKeyMasterId,
  type BlindIndexKey,
  type DataKey,
  type EnvelopeContext,
  type ErrorCode,
  type KeyId,
  type Keyring,
  type KeyringEntry,
  type KeyState,
  type LegacyDecoder,
  type MasterKey,
  type RateLimitKeyer,
  type WrapContext,
  type WrappedKeyPurpose,
} from './crypto/index.js';

// Configuration and the composition root: run the server in-process, or use the services directly.
export { loadConfig, type ProvidersMode, type TelvaultConfig } from './config.js';
export {
  createServer,
  createServices,
  openServices,
  type CreateServerInput,
  type OpenedServices,
  type Services,
  type ServicesInput,
  type TelvaultServer,
} from './app/index.js';

// Input parsers: the services take only what these (or the HTTP routes) have parsed.
export {
  parseCredentialInput,
  type CredentialInput,
  type Provider,
} from './services/credentials/index.js';
export { parseSecretInput, type SecretInput } from './services/secrets/index.js';

// Import: a platform's existing data from its legacy formats, through the services.
export {
  importRecords,
  parseMapping,
  readRecords,
  type ImportInput,
  type ImportMapping,
  type ImportOptions,
  type ImportReport,
  type ImportServices,
  type SourceRecord,
} from './services/import/index.js';

// Phone numbers: the one normalizer (E.164, valid for its region, allowed types).
export {
  DEFAULT_ALLOWED_NUMBER_TYPES,
  normalizePhoneNumber,
  PHONE_NUMBER_TYPES,
  type NormalizedPhone,
  type NormalizeOptions,
  type PhoneNumberType,
} from './services/phones/index.js';

// Provider clients on the official SDKs, and the one error type they raise.
export {
  ProviderError,
  type ProviderErrorDetails,
  type ProviderName,
} from './providers/provider-error.js';
export { createTwilioClient, verifyTwilioCredentials } from './providers/twilio/index.js';
export { createRetellClient } from './providers/retell/index.js';
export { createExotelClient } from './providers/exotel/index.js';
export { createSendgridClient } from './providers/sendgrid/index.js';

// The provider sandbox, for a platform's own integration tests.
export { createSandboxApp, type SandboxApp } from './sandbox/index.js';
export { generateSandboxSeed, parseSandboxSeed, type SandboxSeed } from './sandbox/index.js';
