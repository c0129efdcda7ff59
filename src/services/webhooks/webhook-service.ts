// Provider callbacks checked inside telvault, with the tenant's stored secrets used in-process
// (each use audited, never revealed): Twilio's X-Twilio-Signature under the account's auth token,
// Retell's x-retell-signature under its webhook key, Exotel's per-call token. A callback that does
// not check out is refused and changes nothing; one that does moves its record forward only.
import { timingSafeEqual } from 'node:crypto';
import type { Secret, TenantId } from '../../crypto/index.js';
import { TelvaultError } from '../../errors.js';
import { isValidRetellSignature } from '../../providers/retell/index.js';
import { isValidTwilioSignature } from '../../providers/twilio/index.js';
import { callStatusOf, type ActivityKind, type ActivityRecords } from '../activity/index.js';
import type { Actor } from '../audit/actor.js';
import type { AuditService } from '../audit/audit-service.js';
import type { CredentialService } from '../credentials/credential-service.js';
import { hookTokenHash } from './hook-urls.js';
import type { WebhookVerifyInput, WebhookVerifyView } from './webhook-schemas.js';
import './errors.js';

/** The operations the decryptions are audited with. Do not change. */
export const WEBHOOK_TWILIO = 'webhook.twilio';
export const WEBHOOK_RETELL = 'webhook.retell';
export const WEBHOOKS_VERIFY = 'webhooks.verify';

const HOOK_ACTOR: Actor = { kind: 'system', name: 'webhooks' };

export interface WebhookServiceDeps {
  credentials: Pick<CredentialService, 'use'>;
  activity: ActivityRecords;
  audit: Pick<AuditService, 'record'>;
}

export interface HookResult {
  /** Whether a record moved to a new status. */
  updated: boolean;
}

const refused = (what: string) =>
  new TelvaultError('ERR_WEBHOOK_SIGNATURE_INVALID', `${what}: the signature does not match`);

export function createWebhookService(deps: WebhookServiceDeps) {
  const { activity } = deps;

  /** The Twilio auth token (Twilio signs with it, never an API key). */
  async function twilioToken(
    tenantId: TenantId,
    operation: string,
    actor: Actor,
  ): Promise<Secret | undefined> {
    const c = await deps.credentials.use(tenantId, 'twilio', operation, actor);
    return c.secrets['authToken'];
  }

  /** The key Retell signs webhooks with: the webhook key when stored, else the API key. */
  async function retellKey(
    tenantId: TenantId,
    operation: string,
    actor: Actor,
  ): Promise<Secret | undefined> {
    const c = await deps.credentials.use(tenantId, 'retell', operation, actor);
    return c.secrets['webhookKey'] ?? c.secrets['apiKey'];
  }

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
      // Unsigned: refused before anything is decrypted.
      if (input.signature === undefined) throw refused('X-Twilio-Signature');
      const token = await twilioToken(tenantId, WEBHOOK_TWILIO, HOOK_ACTOR);
      if (token === undefined) throw refused('X-Twilio-Signature');
      if (!isValidTwilioSignature(token, input.signature, input.url, input.params))
        throw refused('X-Twilio-Signature');
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
      if (typeof stored !== 'string' || !timingSafeEqual(Buffer.from(stored, 'hex'), given))
        throw refused('token');
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
      if (signature === undefined) throw refused('x-retell-signature');
      const key = await retellKey(tenantId, WEBHOOK_RETELL, HOOK_ACTOR);
      if (key === undefined || !(await isValidRetellSignature(key, rawBody, signature)))
        throw refused('x-retell-signature');
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

    /** For the platform's own receivers: whether a signature is the provider's (audited). */
    async verify(
      tenantId: TenantId,
      input: WebhookVerifyInput,
      actor: Actor,
    ): Promise<WebhookVerifyView> {
      let valid: boolean;
      if (input.provider === 'twilio') {
        const token = await twilioToken(tenantId, WEBHOOKS_VERIFY, actor);
        valid =
          token !== undefined &&
          isValidTwilioSignature(token, input.signature, input.url, input.params);
      } else {
        const key = await retellKey(tenantId, WEBHOOKS_VERIFY, actor);
        valid =
          key !== undefined && (await isValidRetellSignature(key, input.body, input.signature));
      }
      await deps.audit.record({
        tenantId,
        actor,
        action: 'webhook.verify',
        target: input.provider,
        outcome: valid ? 'success' : 'failure',
      });
      return { valid };
    },
  };
}

export type WebhookService = ReturnType<typeof createWebhookService>;
