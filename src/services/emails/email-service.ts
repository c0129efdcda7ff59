// Sending email through SendGrid with the tenant's stored key: the record (addresses sealed, and
// the from address and subject sealed as its content; the body is never stored) written before
// SendGrid is asked and settled with its answer, the Idempotency-Key honoured. SendGrid answers 403
// both for a key without mail.send and for an unverified sender: only the one that names the from
// field is ERR_EMAIL_SENDER_NOT_VERIFIED.
import { Secret, type TenantId } from '../../crypto/index.js';
import { TelvaultError } from '../../errors.js';
import { ProviderError } from '../../providers/provider-error.js';
import { SENDER_NOT_VERIFIED } from '../../providers/sendgrid/index.js';
import { newId } from '../../store/time.js';
import {
  activityErrorOf,
  type ActivityRecords,
  type ActivityService,
  type EmailView,
  type FailureOf,
} from '../activity/index.js';
import { sendOnce, type SendContext, type Sent } from '../activity/send-once.js';
import type { ProviderClients } from '../credentials/provider-clients.js';
import type { IdempotencyService } from '../idempotency/index.js';
import type { EmailCreate } from './email-schemas.js';
import './errors.js';

export const EMAILS_ROUTE = '/v1/tenants/:tenantId/emails';
/** The operation the decryption is audited with. Do not change. */
export const EMAIL_SEND = 'email.send';

export interface EmailServiceDeps {
  clients: Pick<ProviderClients, 'sendgrid'>;
  activity: ActivityRecords;
  reads: ActivityService;
  idempotency: IdempotencyService;
}

/** The record and the caller are told the same code: the sender's, when that is what it was. */
const failureOf: FailureOf = (err) => {
  const error = activityErrorOf(err);
  if (!(err instanceof ProviderError && err.providerCode === SENDER_NOT_VERIFIED)) {
    return { error, thrown: err };
  }
  return {
    error: { ...error, code: 'ERR_EMAIL_SENDER_NOT_VERIFIED' },
    thrown: new TelvaultError(
      'ERR_EMAIL_SENDER_NOT_VERIFIED',
      'from: SendGrid refused it: not a verified Sender Identity of the account',
      { cause: err }, // a definite refusal: an Idempotency-Key stores it (activity/send-once.ts)
    ),
  };
};

export function createEmailService(deps: EmailServiceDeps) {
  return {
    async send(tenantId: TenantId, input: EmailCreate, ctx: SendContext): Promise<Sent<EmailView>> {
      return sendOnce(
        deps.idempotency,
        { tenantId, kind: 'email', context: ctx, route: EMAILS_ROUTE, fingerprint: input },
        async (markSent) => {
          const client = await deps.clients.sendgrid(tenantId, EMAIL_SEND, ctx.actor);
          const from = input.from ?? client.fromEmail;
          if (from === undefined)
            throw new TelvaultError(
              'ERR_VALIDATION',
              'from: is required when the SendGrid credentials have no fromEmail',
            );
          const body =
            input.html === undefined
              ? { text: input.text ?? '' }
              : { html: input.html, ...(input.text === undefined ? {} : { text: input.text }) };
          const record = await deps.activity.sendRecorded(
            {
              kind: 'email',
              id: newId(),
              tenantId,
              provider: 'sendgrid',
              phoneId: null,
              to: { json: new Secret(JSON.stringify(input.to)) },
              content: new Secret(JSON.stringify({ from, subject: input.subject })),
              actor: ctx.actor,
            },
            markSent,
            async () => {
              const sent = await client.sendEmail({
                to: input.to,
                from,
                subject: input.subject,
                ...body,
              });
              return { providerId: sent.messageId ?? null, status: 'accepted' };
            },
            failureOf,
          );
          return { view: await deps.reads.views.email(tenantId, record, ctx.shown), headers: {} };
        },
      );
    },
  };
}

export type EmailService = ReturnType<typeof createEmailService>;
