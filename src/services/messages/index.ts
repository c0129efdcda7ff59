// SMS sent through Twilio with the tenant's stored credentials.
export { messageCreate, MAX_SMS_BODY, type MessageCreate } from './message-schemas.js';
export {
  createMessageService,
  MESSAGE_SEND,
  MESSAGES_ROUTE,
  type MessageService,
  type MessageServiceDeps,
} from './message-service.js';
