// Provider credentials: stored per tenant (and the platform's own, sealed under the system key),
// read back masked, decrypted only for an audited use, and the provider clients built from them.
export { createCredentialService, type CredentialService } from './credential-service.js';
export {
  createCredentialVerifyService,
  verifyFailureOf,
  type CredentialVerifyService,
  type VerifyFailure,
} from './credential-verify-service.js';
export { assertOverrideTenant, loadEnvOverride, type EnvOverride } from './env-override.js';
export {
  createProviderClients,
  type ProviderCallLog,
  type ProviderClients,
  type ProviderClientsConfig,
} from './provider-clients.js';
export {
  credentialView,
  parseCredentialInput,
  PROVIDER_SPECS,
  PROVIDERS,
  type Provider,
} from './providers.js';
export type { CredentialInput } from './merge.js';
export {
  createPlatformCredentialService,
  platformCredentialsHint,
  type PlatformCredentialService,
  type PlatformCredentialView,
} from './platform-credential-service.js';
export { PLATFORM_PROVIDERS, PLATFORM_SPECS, type PlatformProvider } from './platform-specs.js';
