// POST /v1/tenants/:tenantId/webhooks/verify: a provider's signature checked inside telvault for
// the platform's own webhook receivers, so they never hold the Twilio auth token or Retell key.
import {
  webhookVerifyInput,
  webhookVerifyView,
  type WebhookService,
} from '../../services/webhooks/index.js';
import { defineRoute, type RouteSpec } from '../route-spec.js';
import { tenantParams } from '../schemas.js';

export function webhookVerifyRoutes(webhooks: WebhookService): RouteSpec[] {
  return [
    defineRoute({
      operationId: 'verifyWebhook',
      method: 'POST',
      url: '/v1/tenants/:tenantId/webhooks/verify',
      summary: "Check a Twilio or Retell webhook signature with the tenant's stored secret",
      description:
        "Twilio: { provider, url (exactly as Twilio posted to), params (the form fields), signature (X-Twilio-Signature) }, checked with the SDK's validateRequest under the account's auth token. Retell: { provider, body (the raw body), signature (x-retell-signature) }, checked with the SDK's verify (5-minute window) under the webhook key, else the API key. Answers { valid }; audited as a use.",
      tags: ['webhooks'],
      access: { kind: 'tenant', scope: 'webhooks:verify', root: true },
      params: tenantParams,
      body: webhookVerifyInput,
      status: 200,
      response: webhookVerifyView,
      handler: ({ params, body, actor }) => webhooks.verify(params.tenantId, body, actor),
    }),
  ];
}
