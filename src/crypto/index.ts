// The encryption core: envelopes, keyring, key wrapping, subkeys, blind index, audit MACs, legacy
// decoders.
// No I/O and no imports from the rest of the project. Named exports only.
export { asKeyId, type KeyId } from './key-id.js';
export { asTenantId, isTenantId, type TenantId } from './tenant-id.js';
export type { EnvelopeContext } from './aad.js';
export { createDataKey, type DataKey } from './data-key.js';
export { createKeyring, type Keyring, type KeyringEntry, type KeyState } from './keyring.js';
export { envelopeKeyId, isEnvelope, openField, openFieldText, sealField } from './envelope.js';
export {
  createProviderMasterKey,
  masterKeyProvider,
  parseMasterKey,
  type MasterKey,
  type MasterKeyCipher,
  type MasterKeyProvider,
} from './master-key.js';
export {
  generateKeyMaterial,
  unwrapKey,
  wrapKey,
  wrappedKeyMasterId,
  type WrapContext,
  type WrappedKeyPurpose,
} from './key-wrap.js';
export {
  blindIndexKeyVersion,
  computeBlindIndex,
  createBlindIndexKey,
  type BlindIndexKey,
} from './blind-index.js';
export { createRateLimitKeyer, type RateLimitKeyer } from './rate-limit-key.js';
export { createSecretFingerprinter, type SecretFingerprinter } from './secret-fingerprint.js';
export { createAuditMacs, macTextEquals, type AuditMacs } from './audit-mac.js';
export { Secret, isSecret } from './secret.js';
export { TelvaultError, type ErrorCode } from './errors.js';
export { createLegacyDecoder, decodeLegacy, type LegacyDecoder } from './legacy/decoder.js';
