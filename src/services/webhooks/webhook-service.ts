// Provider callbacks checked inside telvault, with the tenant's stored secrets used in-process
// (never revealed): Twilio's X-Twilio-Signature under the account's auth token, Retell's
// x-retell-signature under its webhook key, Exotel's per-call token. A callback that does not
// check out is refused and changes nothing, and writes no row of its own (signature-checks.ts);
// one that does moves its record forward only.
import { timingSafeEqual } from 'node:crypto';
import type { TenantId } from '../../crypto/index.js';
import { TelvaultError } from '../../errors.js';
import { isValidRetellSignature } from '../../providers/retell/index.js';
import { isValidTwilioSignature } from '../../providers/twilio/index.js';
import { callStatusOf, type ActivityKind, type ActivityRecords } from '../activity/index.js';
import type { Actor } from '../audit/actor.js';
import { hookTokenHash } from './hook-urls.js';
import { createSignatureChecks, refused, type SignatureChecksDeps } from './signature-checks.js';
import type { WebhookVerifyInput, WebhookVerifyView } from './webhook-schemas.js';

/** The operations the decryptions are audited with. Do not change. */
export const WEBHOOK_TWILIO = 'webhook.twilio';
export const WEBHOOK_RETELL = 'webhook.retell';
export const WEBHOOKS_VERIFY = 'webhooks.verify';

const HOOK_ACTOR: Actor = { kind: 'system', name: 'webhooks' };

export interface WebhookServiceDeps extends SignatureChecksDeps {
  activity: ActivityRecords;
}

export interface HookResult {
  /** Whether a record moved to a new status. */
  updated: boolean;
}

const callback = (operation: string, header: string, signature: string | undefined) => ({
  operation,
  actor: HOOK_ACTOR,
  via: 'hook' as const,
  header,
  signature,
});

export function createWebhookService(deps: WebhookServiceDeps) {
  const { activity } = deps;
  const checks = createSignatureChecks(deps);

  async function advance(
    kind: ActivityKind,
    tenantId: TenantId,
    provider: string,
    providerId: string | undefined,
    status: string | undefined,
  ): Promise<HookResult> {
    if (providerId === undefined || providerId === '' || status === undefined)
      return { updated: false };
    const record = await activity.find(kind, tenantId, { provider, provider_id: providerId });
    if (record === undefined) return { updated: false };
    return { updated: await activity.advance(kind, tenantId, record.row.id, status, HOOK_ACTOR) };
  }

  return {
    /** A Twilio status callback for a call or message telvault placed (form fields as posted). */
    async twilioStatus(
      tenantId: TenantId,
      input: { url: string; params: Record<string, string>; signature: string | undefined },
    ): Promise<HookResult> {
      const c = callback(WEBHOOK_TWILIO, 'X-Twilio-Signature', input.signature);
      await checks.checkCallback(tenantId, 'twilio', c, (key, sig) =>
        isValidTwilioSignature(key, sig, input.url, input.params),
      );
      const p = input.params;
      if (p['MessageSid'] !== undefined)
        return advance(
          'message',
          tenantId,
          'twilio',
          p['MessageSid'],
          p['MessageStatus']?.toLowerCase(),
        );
      return advance('call', tenantId, 'twilio', p['CallSid'], p['CallStatus']?.toLowerCase());
    },

    /** An Exotel status callback: its call's token must be the one made for that call. */
    async exotelStatus(
      tenantId: TenantId,
      token: string,
      body: Record<string, unknown>,
    ): Promise<HookResult> {
      const sid = typeof body['CallSid'] === 'string' ? body['CallSid'] : '';
      const record =
        sid === ''
          ? undefined
          : await activity.find('call', tenantId, { provider: 'exotel', provider_id: sid });
      const stored = record?.row['hook_token_hash'];
      const given = Buffer.from(hookTokenHash(token), 'hex');
      if (typeof stored !== 'string' || !timingSafeEqual(Buffer.from(stored, 'hex'), given)) {
        // Nothing was decrypted: only counted, like a bad signature.
        checks.countFailure(tenantId, 'exotel', 'hook');
        throw refused('token');
      }
      const answered = body['EventType'] === 'answered';
      const status = answered
        ? 'in-progress'
        : typeof body['Status'] === 'string'
          ? callStatusOf('exotel', body['Status'])
          : undefined;
      return advance('call', tenantId, 'exotel', sid, status);
    },

    /** A Retell webhook (the raw body, as signed). */
    async retell(
      tenantId: TenantId,
      rawBody: string,
      signature: string | undefined,
    ): Promise<HookResult> {
      const c = callback(WEBHOOK_RETELL, 'x-retell-signature', signature);
      await checks.checkCallback(tenantId, 'retell', c, (key, sig) =>
        isValidRetellSignature(key, rawBody, sig),
      );
      let event: { event?: unknown; call?: { call_id?: unknown; call_status?: unknown } };
      try {
        event = JSON.parse(rawBody) as typeof event;
      } catch {
        throw new TelvaultError('ERR_VALIDATION', 'body: must be JSON');
      }
      const id = typeof event.call?.call_id === 'string' ? event.call.call_id : undefined;
      const status =
        typeof event.call?.call_status === 'string'
          ? callStatusOf('retell', event.call.call_status)
          : undefined;
      return advance('call', tenantId, 'retell', id, status);
    },

    /**
     * For the platform's own receivers: whether a signature is the provider's. A valid one is
     * audited (the use, and `webhook.verify`); an invalid one only counted, like a callback's.
     */
    async verify(
      tenantId: TenantId,
      input: WebhookVerifyInput,
      actor: Actor,
    ): Promise<WebhookVerifyView> {
      const c = { operation: WEBHOOKS_VERIFY, actor, via: 'verify' } as const;
      const valid = await checks.check(tenantId, input.provider, c, (key) =>
        input.provider === 'twilio'
          ? isValidTwilioSignature(key, input.signature, input.url, input.params)
          : isValidRetellSignature(key, input.body, input.signature),
      );
      if (valid) {
        await deps.audit.record({
          tenantId,
          actor,
          action: 'webhook.verify',
          target: input.provider,
          outcome: 'success',
        });
      }
      return { valid };
    },

    /** Writes the counts of failed checks now (a timer does it every minute). */
    flushFailures: checks.flushFailures,
    /** Whether checks for a tenant and provider use a held key (a flood of forged ones). */
    flooded: checks.flooded,
    /** Writes the last counts and drops every held key. */
    close: () => checks.close(),
  };
}

export type WebhookService = ReturnType<typeof createWebhookService>;
