// Placing a call from one of the tenant's phones: the destination normalized and checked against
// the tenant's allowed number types, the route prepared by the phone's provider (credentials
// opened for this one use, audited), the limits charged, the record written (queued) before the
// provider is asked and settled with its answer or its typed failure, the Idempotency-Key honoured.
import { Secret, type TenantId } from '../../crypto/index.js';
import { TelvaultError } from '../../errors.js';
import { newId } from '../../store/time.js';
import {
  callStatusOf,
  type ActivityRecords,
  type ActivityService,
  type CallView,
} from '../activity/index.js';
import {
  sendOnce,
  tokenIdOf,
  type OutboundLimiter,
  type SendContext,
  type Sent,
} from '../activity/send-once.js';
import type { IdempotencyService } from '../idempotency/index.js';
import {
  normalizePhoneNumber,
  type NormalizedPhone,
  type PhoneNumberType,
  type PhoneService,
} from '../phones/index.js';
import type { HookUrls } from '../webhooks/hook-urls.js';
import { prepareCall, type CallHooks, type PlacementDeps } from './call-placement.js';
import type { CallCreate } from './call-schemas.js';

export const CALLS_ROUTE = '/v1/tenants/:tenantId/calls';

/** What sending needs of the tenant's settings. */
export interface SendingSettings {
  defaultCountry: string | undefined;
  allowedNumberTypes: readonly PhoneNumberType[];
  exotelFallbackToTenant: boolean;
  /** The regions calls and messages may go to; null: any. */
  allowedDestinationCountries: readonly string[] | null;
}

/** The destination's region must be one the tenant allows (toll fraud goes abroad). */
export function assertDestinationCountry(settings: SendingSettings, country: string): void {
  const allowed = settings.allowedDestinationCountries;
  if (allowed !== null && !allowed.includes(country)) {
    throw new TelvaultError(
      'ERR_PHONE_COUNTRY_NOT_ALLOWED',
      `to: numbers of ${country} are not among the tenant's allowedDestinationCountries`,
    );
  }
}

export interface CallServiceDeps extends PlacementDeps {
  phones: PlacementDeps['phones'] & Pick<PhoneService, 'sendingPhone'>;
  activity: ActivityRecords;
  reads: ActivityService;
  idempotency: IdempotencyService;
  settings: { forSending(tenantId: TenantId): Promise<SendingSettings> };
  limits: OutboundLimiter;
  hooks: HookUrls;
}

/** A phone id that is not the tenant's is the request's mistake: named as its field. */
export async function phoneOf<T>(find: () => Promise<T>, field: string): Promise<T> {
  try {
    return await find();
  } catch (err) {
    if (err instanceof TelvaultError && err.code === 'ERR_NOT_FOUND')
      throw new TelvaultError('ERR_VALIDATION', `${field}: no phone with this id in the tenant`);
    throw err;
  }
}

/** The tenant's sending settings, and the destination normalized and checked against them. */
export async function destinationOf(
  settingsOf: CallServiceDeps['settings'],
  tenantId: TenantId,
  text: string,
): Promise<{ settings: SendingSettings; to: NormalizedPhone }> {
  const settings = await settingsOf.forSending(tenantId);
  const to = normalizePhoneNumber(text, {
    defaultCountry: settings.defaultCountry,
    allowedTypes: settings.allowedNumberTypes,
    field: 'to',
  });
  assertDestinationCountry(settings, to.country);
  return { settings, to };
}

export function createCallService(deps: CallServiceDeps) {
  return {
    async place(tenantId: TenantId, input: CallCreate, ctx: SendContext): Promise<Sent<CallView>> {
      const fingerprint = { ...input, to: input.to.reveal() };
      return sendOnce(
        deps.idempotency,
        { tenantId, kind: 'call', context: ctx, route: CALLS_ROUTE, fingerprint },
        async (markSent) => {
          const { settings, to } = await destinationOf(deps.settings, tenantId, input.to.reveal());
          const phone = await phoneOf(
            () => deps.phones.sendingPhone(tenantId, input.fromPhoneId),
            'fromPhoneId',
          );
          const call = await prepareCall(deps, tenantId, phone, input, {
            exotelFallback: settings.exotelFallbackToTenant,
            actor: ctx.actor,
          });
          const headers = await deps.limits.charge({
            tenantId,
            kind: 'call',
            tokenId: tokenIdOf(ctx.actor),
            destination: to.e164,
            ...(input.callerIp === undefined ? {} : { callerIp: input.callerIp }),
          });
          const exotelHook =
            call.provider === 'exotel' ? deps.hooks.exotelStatus(tenantId) : undefined;
          const hooks: CallHooks = {
            ...(call.provider === 'twilio' ? { twilio: deps.hooks.twilioStatus(tenantId) } : {}),
            ...(exotelHook === undefined ? {} : { exotel: exotelHook.url }),
          };
          const record = await deps.activity.sendRecorded(
            {
              kind: 'call',
              id: newId(),
              tenantId,
              provider: call.provider,
              phoneId: phone.id,
              agentId: call.agentId,
              to: { e164: new Secret(to.e164), normalizerVersion: to.normalizerVersion },
              ...(exotelHook === undefined ? {} : { hookTokenHash: exotelHook.tokenHash }),
              actor: ctx.actor,
            },
            markSent,
            async () => {
              const r = await call.send(to.e164, hooks);
              return {
                providerId: r.providerId,
                status: callStatusOf(call.provider, r.status) ?? 'queued',
              };
            },
          );
          return { view: await deps.reads.views.call(tenantId, record, ctx.shown), headers };
        },
      );
    },
  };
}

export type CallService = ReturnType<typeof createCallService>;
