// The provider sandbox: emulators for Twilio, Retell, Exotel and SendGrid on one port, routed by
// path prefix, with a test-only admin surface. Named exports only.
export { createSandboxApp, type SandboxApp, type SandboxAppOptions } from './sandbox-app.js';
export {
  createSandboxContext,
  resetSandboxContext,
  type SandboxContext,
  type SandboxErrorFormatter,
} from './sandbox-context.js';
export {
  generateSandboxSeed,
  parseSandboxSeed,
  sandboxSeedSchema,
  type SandboxSeed,
} from './seed.js';
export type { BarrierInput, BarrierView } from './core/barriers.js';
export type { SandboxExchange } from './core/exchange-log.js';
export type { FaultAction, FaultRule, FaultRuleInput } from './core/faults.js';
export {
  SandboxAdminError,
  type SandboxProviderName,
  type SandboxProviderStore,
} from './core/provider-store.js';
export { secretDigest } from './core/secret-digest.js';
export type { SentRetellWebhook } from './retell/retell-webhook.js';
export type { SentStatusCallback } from './twilio/twilio-status-callback.js';
export type { StatusMove } from './twilio/twilio-status-admin.js';
