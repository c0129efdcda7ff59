// How a call goes out, by the provider of the phone it starts from. Everything that can refuse the
// call without asking the provider (no credentials, no flow, a field the provider does not take) is
// done in `prepare`, before any limit is charged or record made; `send` is the one provider call.
//   Exotel: Calls/connect with the phone's own key and token (the tenant's only when the tenant
//     allows it): From = the destination (dialled first), CallerId = the phone, Url = the flow.
//   Twilio: Calls.create with the tenant's credentials: from the phone, TwiML, URL or TwiML app.
//   Retell: create-phone-call from the imported number, with the agent given or the phone's.
import type { TenantId } from '../../crypto/index.js';
import { TelvaultError } from '../../errors.js';
import type { ExotelClient } from '../../providers/exotel/index.js';
import type { RetellClient } from '../../providers/retell/index.js';
import type { TwilioClient } from '../../providers/twilio/index.js';
import type { Actor } from '../audit/actor.js';
import type { ProviderClients } from '../credentials/provider-clients.js';
import type { PhoneService, SendingPhone } from '../phones/index.js';
import type { CallCreate } from './call-schemas.js';
import './errors.js';

/** The operation every decryption for a call is audited with. Do not change. */
export const CALL_CREATE = 'call.create';

export interface CallHooks {
  /** Twilio's StatusCallback for the tenant, when telvault has a public URL. */
  twilio?: string | undefined;
  /** Exotel's StatusCallback for this call (its own token in the path). */
  exotel?: string | undefined;
}

export interface PreparedCall {
  provider: 'exotel' | 'twilio' | 'retell';
  agentId: string | null;
  /** The provider's call id and status (theirs, unmapped). */
  send(to: string, hooks: CallHooks): Promise<{ providerId: string; status: string }>;
}

export interface PlacementDeps {
  clients: Pick<ProviderClients, 'exotel' | 'exotelWith' | 'twilioWith' | 'retell'>;
  phones: Pick<PhoneService, 'exotelCredentials'>;
}

const invalid = (message: string) => new TelvaultError('ERR_VALIDATION', message);

function refuseFields(
  input: CallCreate,
  provider: string,
  fields: readonly (keyof CallCreate & string)[],
) {
  for (const f of fields) {
    if (input[f] !== undefined) throw invalid(`${f}: not used by a call from a ${provider} phone`);
  }
}

async function exotelClient(
  deps: PlacementDeps,
  tenantId: TenantId,
  phone: SendingPhone,
  fallback: boolean,
  actor: Actor,
): Promise<ExotelClient> {
  if (phone.exotel !== null) {
    const credentials = await deps.phones.exotelCredentials(tenantId, phone, CALL_CREATE, actor);
    return deps.clients.exotelWith(credentials);
  }
  // A platform with many Exotel accounts must never call through the wrong one.
  if (!fallback) {
    throw new TelvaultError(
      'ERR_PHONE_NO_CREDENTIALS',
      'fromPhoneId: the phone has no Exotel account of its own (set its exotel credentials, or the tenant setting exotelFallbackToTenant)',
    );
  }
  return deps.clients.exotel(tenantId, CALL_CREATE, actor);
}

export async function prepareCall(
  deps: PlacementDeps,
  tenantId: TenantId,
  phone: SendingPhone,
  input: CallCreate,
  options: { exotelFallback: boolean; actor: Actor },
): Promise<PreparedCall> {
  const { actor } = options;
  switch (phone.provider) {
    case 'exotel': {
      refuseFields(input, 'Exotel', ['twiml', 'agentId']);
      const flow = input.url ?? phone.exotel?.flowUrl;
      if (flow === undefined)
        throw invalid('url: required for an Exotel call when the phone has no exotel.flowUrl');
      const client = await exotelClient(deps, tenantId, phone, options.exotelFallback, actor);
      return {
        provider: 'exotel',
        agentId: null,
        async send(to, hooks) {
          const c = await client.connectCall({
            from: to,
            callerId: phone.e164,
            url: flow,
            ...(hooks.exotel === undefined
              ? {}
              : {
                  statusCallback: hooks.exotel,
                  statusCallbackContentType: 'application/json' as const,
                  statusCallbackEvents: ['terminal' as const, 'answered' as const],
                }),
          });
          return { providerId: c.callSid, status: c.status };
        },
      };
    }
    case 'twilio': {
      refuseFields(input, 'Twilio', ['agentId']);
      const { client, credentials } = await deps.clients.twilioWith(tenantId, CALL_CREATE, actor);
      const app = credentials.public['twimlAppSid'];
      if (input.twiml === undefined && input.url === undefined && app === undefined)
        throw invalid(
          'twiml: twiml or url is required when the Twilio credentials name no twimlAppSid',
        );
      return {
        provider: 'twilio',
        agentId: null,
        send: (to, hooks) => twilioCall(client, phone, input, app, to, hooks),
      };
    }
    case 'retell': {
      refuseFields(input, 'Retell', ['twiml', 'url']);
      const client: RetellClient = await deps.clients.retell(tenantId, CALL_CREATE, actor);
      const agentId = input.agentId ?? phone.retell.outboundAgentId ?? undefined;
      return {
        provider: 'retell',
        agentId: agentId ?? null,
        async send(to) {
          const c = await client.createPhoneCall({
            fromNumber: phone.e164,
            toNumber: to,
            ...(agentId === undefined ? {} : { agentId }),
          });
          return { providerId: c.callId, status: c.status };
        },
      };
    }
  }
}

async function twilioCall(
  client: TwilioClient,
  phone: SendingPhone,
  input: CallCreate,
  app: string | undefined,
  to: string,
  hooks: CallHooks,
): Promise<{ providerId: string; status: string }> {
  const how =
    input.twiml !== undefined
      ? { twiml: input.twiml }
      : input.url !== undefined
        ? { url: input.url }
        : { applicationSid: app ?? '' };
  const c = await client.run('calls.create', (sdk) =>
    sdk.api.v2010.accounts(client.accountSid).calls.create({
      to,
      from: phone.e164,
      ...how,
      ...(hooks.twilio === undefined
        ? {}
        : {
            statusCallback: hooks.twilio,
            statusCallbackMethod: 'POST',
            statusCallbackEvent: ['initiated', 'ringing', 'answered', 'completed'],
          }),
    }),
  );
  return { providerId: c.sid, status: c.status };
}
