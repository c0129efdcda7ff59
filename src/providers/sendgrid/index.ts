export { createSendgridClient, type SendgridClient } from './sendgrid-client.js';
export {
  SENDER_NOT_VERIFIED,
  sendgridStatusCode,
  toSendgridProviderError,
} from './sendgrid-errors.js';
export type { SendgridSenderStatus } from './sendgrid-senders.js';
export type {
  SendgridAddress,
  SendgridCallLog,
  SendgridClientOptions,
  SendgridEmailInput,
} from './sendgrid-types.js';
