// /v1/platform/credentials/:provider: the platform's own provider credentials (the operator's
// parent Twilio account), root token only. Write-only secrets, masked views, as a tenant's.
import type { PlatformCredentialService } from '../../services/credentials/index.js';
import { PLATFORM_SPECS } from '../../services/credentials/index.js';
import { defineRoute, type RouteSpec } from '../route-spec.js';

const NOTE =
  "The platform's parent Twilio account, under which tenants' sub-accounts are made " +
  '(POST /v1/tenants/{tenantId}/twilio/subaccount). Sealed under the system key: it belongs to ' +
  'no tenant. accountSid with authToken, or apiKeySid with apiKeySecret (an API key is used when ' +
  'both are set). Partial update: only the fields present change; null removes an optional ' +
  'field. Secret fields are write-only: responses show { "set": true } and, for secrets of 16 ' +
  'characters or more, "last4". Writes, deletes and every use are audited on the operator stream.';

export function platformCredentialRoutes(platform: PlatformCredentialService): RouteSpec[] {
  const tags = ['platform'];
  const access = { kind: 'root' } as const;
  const spec = PLATFORM_SPECS.twilio;
  const url = '/v1/platform/credentials/twilio';
  return [
    defineRoute({
      operationId: 'putPlatformTwilioCredentials',
      method: 'PUT',
      url,
      summary: "Set or update the platform's Twilio credentials",
      description: NOTE,
      tags,
      access,
      body: spec.body,
      status: 200,
      response: spec.view,
      handler: ({ body, actor }) => platform.put('twilio', body, actor),
    }),
    defineRoute({
      operationId: 'getPlatformTwilioCredentials',
      method: 'GET',
      url,
      summary: "The platform's Twilio credentials, masked",
      description: '404 when they are not set.',
      tags,
      access,
      status: 200,
      response: spec.view,
      handler: () => platform.get('twilio'),
    }),
    defineRoute({
      operationId: 'deletePlatformTwilioCredentials',
      method: 'DELETE',
      url,
      summary: "Delete the platform's Twilio credentials",
      description:
        "Tenants' sub-accounts and the credentials stored for them stay; no new one can be made until they are set again.",
      tags,
      access,
      status: 204,
      handler: async ({ actor }) => {
        await platform.remove('twilio', actor);
        return undefined;
      },
    }),
  ];
}
