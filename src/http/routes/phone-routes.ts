// /v1/tenants/:tenantId/phones: phone numbers with their own provider credentials. A number never
// travels in a URL (access logs and proxies keep URLs): lookup takes it in a POST body.
import { z } from 'zod';
import {
  phoneCreate,
  phoneListQuery,
  phoneLookup,
  phonePageView,
  phonePatch,
  phoneVerifyResult,
  phoneView,
  type PhoneService,
} from '../../services/phones/index.js';
import { phoneReleaseQuery, type TrunkService } from '../../services/trunks/index.js';
import { TelvaultError } from '../../errors.js';
import { defineRoute, type RouteSpec } from '../route-spec.js';
import { tenantParams } from '../schemas.js';

const phoneParams = tenantParams.extend({
  phoneId: z.string().max(64, 'must be at most 64 characters'),
});

const NUMBER_NOTE =
  'The number is shown in E.164 to the tenant and masked to the root token; the Exotel key and token are write-only ({ "set": true, "last4"? }).';

export function phoneRoutes(phones: PhoneService, trunks: TrunkService): RouteSpec[] {
  const tags = ['phones'];
  const read = { kind: 'tenant', scope: 'phones:read', root: true } as const;
  const write = { kind: 'tenant', scope: 'phones:write', root: true } as const;
  return [
    defineRoute({
      operationId: 'createPhone',
      method: 'POST',
      url: '/v1/tenants/:tenantId/phones',
      summary: 'Import a phone number (with its own Exotel account, optionally)',
      description: `The number in any common format: a national one is read with country, else the tenant's defaultCountry; it must be valid for its region, without an extension, of a type the tenant allows. A number the tenant already has (in any format) is 409 ERR_PHONE_EXISTS. ${NUMBER_NOTE}`,
      tags,
      access: write,
      params: tenantParams,
      body: phoneCreate,
      status: 201,
      response: phoneView,
      handler: ({ params, body, actor, principal }) =>
        phones.create(params.tenantId, body, actor, principal.kind === 'tenant'),
    }),
    defineRoute({
      operationId: 'listPhones',
      method: 'GET',
      url: '/v1/tenants/:tenantId/phones',
      summary: "A tenant's phones in creation order (cursor pagination; provider and tag filters)",
      description: NUMBER_NOTE,
      tags,
      access: read,
      params: tenantParams,
      query: phoneListQuery,
      status: 200,
      response: phonePageView,
      handler: ({ params, query, principal }) =>
        phones.list(params.tenantId, query, principal.kind === 'tenant'),
    }),
    defineRoute({
      operationId: 'lookupPhone',
      method: 'POST',
      url: '/v1/tenants/:tenantId/phones/lookup',
      summary: 'Find a phone by its number, in any format (exact match through the blind index)',
      description: `404 when the tenant has no phone with this number. ${NUMBER_NOTE}`,
      tags,
      access: read,
      params: tenantParams,
      body: phoneLookup,
      status: 200,
      response: phoneView,
      handler: ({ params, body, principal }) =>
        phones.lookup(params.tenantId, body, principal.kind === 'tenant'),
    }),
    defineRoute({
      operationId: 'getPhone',
      method: 'GET',
      url: '/v1/tenants/:tenantId/phones/:phoneId',
      summary: 'A phone',
      description: NUMBER_NOTE,
      tags,
      access: read,
      params: phoneParams,
      status: 200,
      response: phoneView,
      handler: ({ params, principal }) =>
        phones.get(params.tenantId, params.phoneId, principal.kind === 'tenant'),
    }),
    defineRoute({
      operationId: 'updatePhone',
      method: 'PATCH',
      url: '/v1/tenants/:tenantId/phones/:phoneId',
      summary: 'Change a phone (partial)',
      description:
        'Only the fields sent change; null clears label, tags, exotel or the Retell agent ids. number, country and provider cannot change (400 naming the field). exotel is replaced whole: all four fields together. A change of the Retell agent ids is pushed to Retell first when the tenant has Retell credentials and Retell knows the number (`retell.synced` true); otherwise only the stored ids change (`synced` false). A Retell failure is the typed provider error and nothing is stored.',
      tags,
      access: write,
      params: phoneParams,
      body: phonePatch,
      status: 200,
      response: phoneView,
      handler: ({ params, body, actor, principal }) =>
        phones.update(params.tenantId, params.phoneId, body, actor, principal.kind === 'tenant'),
    }),
    defineRoute({
      operationId: 'verifyPhoneExotel',
      method: 'POST',
      url: '/v1/tenants/:tenantId/phones/:phoneId/exotel/verify',
      summary: "Check the phone's own Exotel account at Exotel",
      description:
        'One cheap authenticated read (list one call) through the Exotel client and its host allow-list. A refusal is 200 with `ok: false` and the typed provider error (`ERR_PROVIDER_CREDENTIALS_INVALID`, `ERR_PROVIDER_FORBIDDEN`, `ERR_PROVIDER_UNAVAILABLE`, …). 409 ERR_PROVIDER_NOT_CONFIGURED when the phone has no Exotel account. The use and the outcome are audited.',
      tags,
      access: read,
      params: phoneParams,
      status: 200,
      response: phoneVerifyResult,
      handler: ({ params, actor }) => phones.verifyExotel(params.tenantId, params.phoneId, actor),
    }),
    defineRoute({
      operationId: 'deletePhone',
      method: 'DELETE',
      url: '/v1/tenants/:tenantId/phones/:phoneId',
      summary: 'Delete a phone',
      description:
        "A phone bought or attached through the trunk routes is first taken off Retell, then released at Twilio with ?release=true (it stops costing money and cannot be bought back for sure) or only detached from the trunk without it; a tenant token then needs trunks:manage too. Its purchase's Idempotency-Key is forgotten with it.",
      tags,
      access: write,
      params: phoneParams,
      query: phoneReleaseQuery,
      status: 204,
      handler: async ({ params, query, actor, principal }) => {
        const view = await phones.get(params.tenantId, params.phoneId, false);
        if (
          view.twilio !== null &&
          principal.kind === 'tenant' &&
          !principal.scopes.has('trunks:manage')
        ) {
          throw new TelvaultError(
            'ERR_AUTH_FORBIDDEN',
            'a phone on the trunk: deleting it also needs the trunks:manage scope',
          );
        }
        await trunks.removePhone(params.tenantId, params.phoneId, query.release === 'true', actor);
        return undefined;
      },
    }),
  ];
}
