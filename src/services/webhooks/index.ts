// Provider callbacks verified inside telvault, and the check offered to the platform's receivers.
export { createHookUrls, hookTokenHash, type HookUrls } from './hook-urls.js';
export {
  webhookVerifyInput,
  webhookVerifyView,
  type WebhookVerifyInput,
  type WebhookVerifyView,
} from './webhook-schemas.js';
export {
  createWebhookService,
  WEBHOOK_RETELL,
  WEBHOOK_TWILIO,
  WEBHOOKS_VERIFY,
  type HookResult,
  type WebhookService,
} from './webhook-service.js';
