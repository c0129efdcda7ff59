// POST /v1/tenants/:tenantId/twilio/subaccount: the tenant's Twilio sub-account under the
// platform's parent account, stored as the tenant's Twilio credentials.
import { subaccountView, type SubaccountService } from '../../services/subaccounts/index.js';
import { defineRoute, type RouteSpec } from '../route-spec.js';
import { tenantParams } from '../schemas.js';

export function subaccountRoutes(subaccounts: SubaccountService): RouteSpec[] {
  return [
    defineRoute({
      operationId: 'createTwilioSubaccount',
      method: 'POST',
      url: '/v1/tenants/:tenantId/twilio/subaccount',
      summary: "Create (or adopt) the tenant's Twilio sub-account and store it as its credentials",
      description:
        "Under the platform's parent account (PUT /v1/platform/credentials/twilio), named " +
        '`telvault <tenantId>`. An active sub-account of that name is adopted rather than a second ' +
        "one made, so a retry after any failure converges; the sub-account's sid and auth token " +
        "become the tenant's Twilio credentials (sealed and audited as a PUT of them). Idempotent: " +
        'once stored, a call answers the same sub-account and asks Twilio nothing. Always 200; ' +
        '`created` says whether this call made it. The auth token is never returned. 409 ' +
        'ERR_PROVIDER_NOT_CONFIGURED when the platform credentials are not set; 409 ERR_CONFLICT ' +
        "when the tenant's Twilio credentials name another account (delete them first) or another " +
        'request is setting it up (retry). Provider failures answer their typed error.',
      tags: ['credentials'],
      access: { kind: 'tenant', scope: 'trunks:manage', root: true },
      params: tenantParams,
      status: 200,
      response: subaccountView,
      handler: ({ params, actor }) => subaccounts.ensure(params.tenantId, actor),
    }),
  ];
}
