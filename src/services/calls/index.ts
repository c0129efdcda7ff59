// Calls placed from a tenant's phones through the phone's provider, and Twilio Voice access tokens.
export { CALL_CREATE } from './call-placement.js';
export {
  accessTokenCreate,
  accessTokenView,
  callCreate,
  type AccessTokenCreate,
  type AccessTokenView,
  type CallCreate,
} from './call-schemas.js';
export {
  assertDestinationCountry,
  CALLS_ROUTE,
  createCallService,
  destinationOf,
  phoneOf,
  type CallService,
  type CallServiceDeps,
  type SendingSettings,
} from './call-service.js';
export {
  createVoiceTokenService,
  TWILIO_ACCESS_TOKEN,
  type VoiceTokenService,
} from './voice-token-service.js';
export { CALL_RECONCILE, createCallReconciler, type CallReconciler } from './call-reconcile.js';
