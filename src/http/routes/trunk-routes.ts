// /v1/tenants/:tenantId/trunk: the tenant's Twilio Elastic SIP trunk for Retell. Every route needs
// `trunks:manage` (or the root token).
import { z } from 'zod';
import { phoneView } from '../../services/phones/index.js';
import {
  phoneAttach,
  phonePurchase,
  jobQuery,
  offboardQuery,
  offboardView,
  jobView,
  trunkRepair,
  trunkQuery,
  trunkSetup,
  trunkView,
  type TrunkService,
} from '../../services/trunks/index.js';
import type { PhoneView } from '../../services/phones/index.js';
import { defineRoute, type RouteSpec } from '../route-spec.js';
import { tenantParams } from '../schemas.js';

const PASSWORD_NOTE =
  'The SIP password is held by telvault only (Twilio never returns it): the view shows `password: { "set": true }`, never the value or any part of it.';

export function trunkRoutes(trunks: TrunkService): RouteSpec[] {
  const tags = ['trunks'];
  const manage = { kind: 'tenant', scope: 'trunks:manage', root: true } as const;
  return [
    defineRoute({
      operationId: 'setupTrunk',
      method: 'PUT',
      url: '/v1/tenants/:tenantId/trunk',
      summary: 'Set up (or adopt) the SIP trunk, its credential and its Retell origination URL',
      description: `Runs the provisioning workflow to the end with the tenant's stored Twilio credentials: one trunk (a domain derived from the tenant), one credential list, a credential whose password telvault generated and sealed before sending, the association, and an origination URL to Retell's SIP server (or inbound.originationUri). Re-entrant: a re-run resumes from what is recorded and what Twilio shows, and on a ready trunk writes nothing at Twilio. adopt.trunkSid takes over a trunk made elsewhere (with adopt.password, its credential is recorded as adopted and nothing is written; without, telvault adds its own credential to the trunk's list). One run at a time per tenant: a request arriving during a run joins it and answers its result, or 409 ERR_TRUNK_BUSY with Retry-After. A provider failure answers its typed error and leaves the trunk failed at that step (GET shows which). ${PASSWORD_NOTE}`,
      tags,
      access: manage,
      params: tenantParams,
      body: trunkSetup.optional(),
      status: 200,
      response: trunkView,
      handler: ({ params, body, actor }) => trunks.setup(params.tenantId, body ?? {}, actor),
    }),
    defineRoute({
      operationId: 'getTrunk',
      method: 'GET',
      url: '/v1/tenants/:tenantId/trunk',
      summary: 'The SIP trunk as recorded (with ?check=live, compared with Twilio and Retell now)',
      description: `404 ERR_TRUNK_NOT_FOUND before the first setup. ?check=live reads the trunk, its credential lists, the credential and the origination URLs at Twilio, and how Retell shows the numbers telvault put on the trunk (masked), and lists each difference in drift. ${PASSWORD_NOTE}`,
      tags,
      access: manage,
      params: tenantParams,
      query: trunkQuery,
      status: 200,
      response: trunkView,
      handler: ({ params, query, actor }) =>
        trunks.get(params.tenantId, { live: query.check === 'live', actor }),
    }),
    defineRoute({
      operationId: 'repairTrunkNumbers',
      method: 'POST',
      url: '/v1/tenants/:tenantId/trunk/repair',
      summary: "Repair the SIP auth of the tenant's Retell numbers on the trunk (a job)",
      description:
        "Pages through every Retell number of the tenant; each one whose termination URI is this trunk's (or that telvault put on the trunk) and whose auth_username is missing, empty or not the trunk's current username, or whose termination URI is wrong, is updated with the termination URI, username and password (all three). With dryRun nothing changes (would-fix). phoneNumber limits it to one number. Answers 202 with the job (GET …/jobs/:jobId for progress and result); with ?wait=true waits up to 60 s and answers 200 with the result when done. One job of a kind at a time per tenant: a second request joins the unfinished one. Audited with the counts.",
      tags,
      access: manage,
      params: tenantParams,
      query: jobQuery,
      body: trunkRepair.optional(),
      status: 202,
      response: jobView,
      alternate: { status: 200, statusFor: (j) => (j.state === 'done' ? 200 : 202) },
      handler: ({ params, query, body, actor, principal }) =>
        trunks.repair(params.tenantId, body ?? {}, actor, query.wait === 'true', {
          showNumbers: principal.kind === 'tenant',
        }),
    }),
    defineRoute({
      operationId: 'rotateTrunkPassword',
      method: 'POST',
      url: '/v1/tenants/:tenantId/trunk/rotate-password',
      summary: 'Rotate the SIP password without a dead moment (a job)',
      description:
        "Adds a second credential of telvault's (a new username, a new password) to the trunk's list, updates every Retell number on the trunk to it and checks each (Retell shows the username), then makes it the trunk's credential and deletes the old one if telvault created it. Repair and purchases during a rotation use the new username. A number that failed to move, or that telvault put on the trunk but the tenant's Retell key does not show, blocks the deletion: the job ends with state blocked and the list, and a new request resumes it. 202 with the job; ?wait=true waits up to 60 s. Audited with the counts.",
      tags,
      access: manage,
      params: tenantParams,
      query: jobQuery,
      status: 202,
      response: jobView,
      alternate: { status: 200, statusFor: (j) => (j.state === 'done' ? 200 : 202) },
      handler: ({ params, query, actor, principal }) =>
        trunks.rotatePassword(params.tenantId, actor, query.wait === 'true', {
          showNumbers: principal.kind === 'tenant',
        }),
    }),
    defineRoute({
      operationId: 'deleteTrunk',
      method: 'DELETE',
      url: '/v1/tenants/:tenantId/trunk',
      summary:
        'Offboard the trunk: numbers off Retell, released or detached; what telvault made removed',
      description:
        "Removes the tenant's trunk numbers from Retell and releases them at Twilio with ?releaseNumbers=true (their phones deleted), or detaches them from the trunk (their phones kept, unlinked). Then removes what telvault created: origination URLs, its credentials, the association and the credential list, the trunk; what it adopted is left in place and listed. A trunk recorded by `telvault import` and not yet adopted is forgotten without a provider call (its trunk listed as left in place). Re-entrant: a re-run after a failure finishes the job. A deleted trunk's domain stays quarantined at Twilio for 30 days.",
      tags,
      access: manage,
      params: tenantParams,
      query: offboardQuery,
      status: 200,
      response: offboardView,
      handler: ({ params, query, actor }) =>
        trunks.offboard(
          params.tenantId,
          { releaseNumbers: query.releaseNumbers === 'true' },
          actor,
        ),
    }),
    defineRoute({
      operationId: 'purchasePhone',
      method: 'POST',
      url: '/v1/tenants/:tenantId/phones/purchase',
      summary: 'Buy a Twilio number onto the trunk and import it into Retell',
      description:
        "Needs an Idempotency-Key header. Picks a concrete number (phoneNumber, or the first available for country, type and areaCode) and records it before buying; adopts it if the account already owns it; buys it with TrunkSid and checks it landed on the trunk; imports it into Retell with the trunk's termination URI and SIP auth (updated if Retell has it); records the phone (sealed, blind-indexed) on the trunk. 201 with the phone. The same key with the same body answers the same phone and buys nothing (for as long as the phone exists), also after a crash mid-way; another body is 422 ERR_IDEMPOTENCY_KEY_REUSED; a duplicate during the first waits for it, or 409 ERR_IDEMPOTENCY_IN_PROGRESS. Needs trunks:manage and phones:write.",
      tags,
      access: { ...manage, also: 'phones:write' },
      params: tenantParams,
      body: phonePurchase,
      idempotencyKey: 'required',
      status: 201,
      response: phoneView,
      handler: async ({ params, body, actor, principal, idempotencyKey }) => {
        // Required: the app refused the request without one; the type does not know it.
        if (idempotencyKey === undefined) throw new Error('purchasePhone: no Idempotency-Key');
        const key = idempotencyKey;
        const r = await trunks.purchase(
          params.tenantId,
          key,
          body,
          actor,
          principal.kind === 'tenant',
        );
        return r.body as PhoneView;
      },
    }),
    defineRoute({
      operationId: 'attachPhone',
      method: 'POST',
      url: '/v1/tenants/:tenantId/phones/:phoneId/attach',
      summary: 'Put a number the tenant owns at Twilio on the trunk and on Retell',
      description:
        "The phone must be in the tenant's Twilio account (409 ERR_TRUNK_CONFLICT otherwise). Its IncomingPhoneNumber is moved onto the trunk (trunk_sid checked) and it is imported into Retell with the trunk's termination URI and SIP auth (updated if Retell has it). Needs trunks:manage and phones:write.",
      tags,
      access: { ...manage, also: 'phones:write' },
      params: tenantParams.extend({ phoneId: z.string().max(64, 'must be at most 64 characters') }),
      body: phoneAttach.optional(),
      status: 200,
      response: phoneView,
      handler: ({ params, body, actor, principal }) =>
        trunks.attach(
          params.tenantId,
          params.phoneId,
          body ?? {},
          actor,
          principal.kind === 'tenant',
        ),
    }),
    defineRoute({
      operationId: 'getTrunkJob',
      method: 'GET',
      url: '/v1/tenants/:tenantId/jobs/:jobId',
      summary: "A job of the tenant's: state, progress and, when done, its result",
      description:
        "The tenant's jobs share one table: the trunk's (repair, password rotation: result when done) and its key rotations (`rotate-tenant-data-key`, `rotate-tenant-index-key`: result null; GET …/keys shows the same progress to keys:read). Another tenant's job, or an unknown id, is 404.",
      tags,
      access: manage,
      params: tenantParams.extend({
        jobId: z.string().max(64, 'must be at most 64 characters'),
      }),
      status: 200,
      response: jobView,
      handler: ({ params, principal }) =>
        trunks.getJob(params.tenantId, params.jobId, { showNumbers: principal.kind === 'tenant' }),
    }),
  ];
}
