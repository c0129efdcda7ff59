// Sending an SMS through Twilio with the tenant's credentials, from one of its phones: the
// destination normalized and checked, the limits charged, the record (destination and body
// sealed) written before Twilio is asked and settled with its answer, the Idempotency-Key honoured.
import { Secret, type TenantId } from '../../crypto/index.js';
import { TelvaultError } from '../../errors.js';
import { newId } from '../../store/time.js';
import {
  statusRank,
  type ActivityRecords,
  type ActivityService,
  type MessageView,
} from '../activity/index.js';
import {
  sendOnce,
  tokenIdOf,
  type OutboundLimiter,
  type SendContext,
  type Sent,
} from '../activity/send-once.js';
import { destinationOf, phoneOf, type SendingSettings } from '../calls/index.js';
import type { ProviderClients } from '../credentials/provider-clients.js';
import type { IdempotencyService } from '../idempotency/index.js';
import type { PhoneService } from '../phones/index.js';
import type { HookUrls } from '../webhooks/hook-urls.js';
import type { MessageCreate } from './message-schemas.js';

export const MESSAGES_ROUTE = '/v1/tenants/:tenantId/messages';
/** The operation the decryption is audited with. Do not change. */
export const MESSAGE_SEND = 'message.send';

export interface MessageServiceDeps {
  clients: Pick<ProviderClients, 'twilioWith'>;
  phones: Pick<PhoneService, 'sendingPhone' | 'idOfNumber'>;
  activity: ActivityRecords;
  reads: ActivityService;
  idempotency: IdempotencyService;
  settings: { forSending(tenantId: TenantId): Promise<SendingSettings> };
  limits: OutboundLimiter;
  hooks: HookUrls;
}

const invalid = (message: string) => new TelvaultError('ERR_VALIDATION', message);

export function createMessageService(deps: MessageServiceDeps) {
  /** The phone named, or the one whose number is the credentials' defaultFrom. */
  async function fromPhone(
    tenantId: TenantId,
    input: MessageCreate,
    defaultFrom: Secret | undefined,
  ) {
    if (input.fromPhoneId !== undefined) {
      const id = input.fromPhoneId;
      return phoneOf(() => deps.phones.sendingPhone(tenantId, id), 'fromPhoneId');
    }
    if (defaultFrom === undefined)
      throw invalid('fromPhoneId: is required when the Twilio credentials have no defaultFrom');
    const id = await deps.phones.idOfNumber(tenantId, defaultFrom.reveal());
    if (id === undefined)
      throw invalid('fromPhoneId: is required: no phone of the tenant has the defaultFrom number');
    return deps.phones.sendingPhone(tenantId, id);
  }

  return {
    async send(
      tenantId: TenantId,
      input: MessageCreate,
      ctx: SendContext,
    ): Promise<Sent<MessageView>> {
      const fingerprint = { ...input, to: input.to.reveal(), body: input.body.reveal() };
      return sendOnce(
        deps.idempotency,
        { tenantId, kind: 'message', context: ctx, route: MESSAGES_ROUTE, fingerprint },
        async (markSent) => {
          const { to } = await destinationOf(deps.settings, tenantId, input.to.reveal());
          const { client, credentials } = await deps.clients.twilioWith(
            tenantId,
            MESSAGE_SEND,
            ctx.actor,
          );
          const phone = await fromPhone(tenantId, input, credentials.secrets['defaultFrom']);
          if (phone.provider === 'exotel')
            throw invalid(
              'fromPhoneId: an SMS goes through Twilio: an Exotel phone cannot send it',
            );
          const headers = await deps.limits.charge({
            tenantId,
            kind: 'message',
            tokenId: tokenIdOf(ctx.actor),
            destination: to.e164,
            ...(input.callerIp === undefined ? {} : { callerIp: input.callerIp }),
          });
          const hook = deps.hooks.twilioStatus(tenantId);
          const record = await deps.activity.sendRecorded(
            {
              kind: 'message',
              id: newId(),
              tenantId,
              provider: 'twilio',
              phoneId: phone.id,
              to: { e164: new Secret(to.e164), normalizerVersion: to.normalizerVersion },
              content: input.body,
              actor: ctx.actor,
            },
            markSent,
            async () => {
              const m = await client.run('messages.create', (sdk) =>
                sdk.api.v2010.accounts(client.accountSid).messages.create({
                  to: to.e164,
                  from: phone.e164,
                  body: input.body.reveal(),
                  ...(hook === undefined ? {} : { statusCallback: hook }),
                }),
              );
              const status = statusRank('message', m.status) === undefined ? 'queued' : m.status;
              return { providerId: m.sid, status };
            },
          );
          return { view: await deps.reads.views.message(tenantId, record, ctx.shown), headers };
        },
      );
    },
  };
}

export type MessageService = ReturnType<typeof createMessageService>;
