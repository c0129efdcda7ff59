// /v1/tenants/:tenantId/emails: email through SendGrid with the tenant's stored key.
import { emailPageView, emailView, type ActivityService } from '../../services/activity/index.js';
import { emailCreate, type EmailService } from '../../services/emails/index.js';
import type { RouteSpec } from '../route-spec.js';
import { readRoutes, sendRoute } from './activity-routes.js';

const NOTE =
  'The addresses, from and subject are shown to the tenant; to the root token the addresses are masked and from and subject left out. The body is never stored.';

export function emailRoutes(emails: EmailService, activity: ActivityService): RouteSpec[] {
  const tags = ['emails'];
  return [
    sendRoute({
      operationId: 'createEmail',
      url: '/v1/tenants/:tenantId/emails',
      summary: "Send an email through SendGrid with the tenant's key",
      description: `To up to 50 addresses, text and/or html, from the given address or the credentials' fromEmail. A from address SendGrid does not have as a verified Sender Identity is 400 ERR_EMAIL_SENDER_NOT_VERIFIED; a key without mail.send is 502 ERR_PROVIDER_FORBIDDEN. ${NOTE}`,
      tags,
      scope: 'messages:send',
      body: emailCreate,
      response: emailView,
      send: (tenantId, body, ctx) => emails.send(tenantId, body, ctx),
    }),
    ...readRoutes(activity, {
      kind: 'email',
      plural: 'emails',
      tags,
      page: emailPageView,
      view: emailView,
      note: NOTE,
    }),
  ];
}
