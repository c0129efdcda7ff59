export {
  createRetellClient,
  retellBaseUrl,
  RETELL_LIVE_URL,
  type RetellClient,
} from './retell-client.js';
export { retellStatusCode, toRetellProviderError } from './retell-errors.js';
export type {
  RetellAgentWeight,
  RetellCallLog,
  RetellCallView,
  RetellPhoneCallInput,
  RetellClientOptions,
  RetellImportInput,
  RetellNumberView,
  RetellSipAuth,
  RetellUpdateInput,
} from './retell-types.js';
export { isValidRetellSignature } from './retell-webhooks.js';
