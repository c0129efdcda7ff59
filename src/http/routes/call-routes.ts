// /v1/tenants/:tenantId/calls: calls placed from the tenant's phones through the phone's provider,
// and Twilio Voice access tokens for the tenant's browser or app clients.
import { callPageView, callView, type ActivityService } from '../../services/activity/index.js';
import {
  accessTokenCreate,
  accessTokenView,
  callCreate,
  type CallReconciler,
  type CallService,
  type VoiceTokenService,
} from '../../services/calls/index.js';
import { z } from 'zod';
import { defineRoute, type RouteSpec } from '../route-spec.js';
import { tenantParams } from '../schemas.js';
import { readRoutes, sendRoute } from './activity-routes.js';

const NOTE =
  'The destination is shown in E.164 to the tenant and masked to the root token; status moves forward only (queued, initiated, ringing, in-progress, then completed, busy, failed, no-answer or canceled).';

export function callRoutes(
  calls: CallService,
  tokens: VoiceTokenService,
  activity: ActivityService,
  reconciler: CallReconciler,
): RouteSpec[] {
  const tags = ['calls'];
  return [
    sendRoute({
      operationId: 'createCall',
      url: '/v1/tenants/:tenantId/calls',
      summary:
        "Place a call from one of the tenant's phones (Exotel, Twilio or Retell by the phone)",
      description: `The destination is normalized (a national number in the tenant's defaultCountry) and must be of a type the tenant allows (premium-rate is refused by default). An Exotel phone calls through its own Exotel account (Calls/connect: the destination is dialled first, the phone is the caller id, url or the phone's flowUrl is the flow); a phone without one is 400 ERR_PHONE_NO_CREDENTIALS before anything is sent, unless the tenant setting exotelFallbackToTenant is on. A Twilio phone calls with the tenant's Twilio credentials (twiml, url, or the credentials' twimlAppSid). A Retell phone calls with create-phone-call (agentId, else the phone's outbound agent). The record is written (queued) before the provider is asked; a provider failure is its typed error (e.g. 502 ERR_PROVIDER_CREDENTIALS_INVALID) and the record keeps it. Limited per caller (callerIp, else the token) and per destination (429 ERR_RATE_LIMITED with Retry-After and RateLimit headers; 503 ERR_RATE_LIMIT_UNAVAILABLE when the limits cannot be checked). ${NOTE}`,
      tags,
      scope: 'calls:create',
      body: callCreate,
      response: callView,
      send: (tenantId, body, ctx) => calls.place(tenantId, body, ctx),
    }),
    ...readRoutes(activity, {
      kind: 'call',
      plural: 'calls',
      tags,
      page: callPageView,
      view: callView,
      note: NOTE,
    }),
    defineRoute({
      operationId: 'reconcileCall',
      method: 'POST',
      url: '/v1/tenants/:tenantId/calls/:id/reconcile',
      summary: 'Ask the provider where the call is, and record it',
      description: `Moves the record to the provider's current status. A call whose outcome is unknown (the server stopped after asking the provider, before recording its answer: a retry with its Idempotency-Key answers 409 ERR_IDEMPOTENCY_OUTCOME_UNKNOWN naming this record) is looked up by its numbers (Twilio: and its time; Retell: the oldest call between them that no other record holds), and recorded with its id when found; not found at Twilio 10 minutes after it was made, it is recorded failed (ERR_PROVIDER_NOT_FOUND). Exotel cannot be searched: such a call is 409 ERR_CONFLICT, and the operator looks in Exotel's call log before placing it again. ${NOTE}`,
      tags,
      access: { kind: 'tenant', scope: 'calls:create', root: true },
      params: tenantParams.extend({ id: z.string().max(64, 'must be at most 64 characters') }),
      status: 200,
      response: callView,
      handler: ({ params, actor, principal }) =>
        reconciler.reconcile(params.tenantId, params.id, actor, principal.kind === 'tenant'),
    }),
    defineRoute({
      operationId: 'createTwilioAccessToken',
      method: 'POST',
      url: '/v1/tenants/:tenantId/twilio/access-token',
      summary: 'Mint a Twilio Voice access token for a browser or app client',
      description:
        "Signed with the tenant's Twilio API key secret (400 ERR_TWILIO_API_KEY_REQUIRED when the credentials hold only an auth token), for the credentials' TwiML app; ttlSeconds up to 3600 (default 3600). The token is the one value this route returns: never stored or logged; the mint is audited with the identity and ttl.",
      tags,
      access: { kind: 'tenant', scope: 'calls:create', root: true },
      params: tenantParams,
      body: accessTokenCreate,
      status: 201,
      response: accessTokenView,
      handler: ({ params, body, actor }) => tokens.mint(params.tenantId, body, actor),
    }),
  ];
}
