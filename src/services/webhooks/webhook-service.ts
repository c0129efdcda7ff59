// Provider callbacks checked inside telvault, with the tenant's stored secrets used in-process
// (never revealed): Twilio's X-Twilio-Signature under the account's auth token, Retell's
// x-retell-signature under its webhook key, Exotel's per-call token. A callback that does not
// check out is refused and changes nothing; one that does moves its record forward only. A check
// that passes is audited as a use of the credentials; one that fails writes no row of its own
// (anyone who knows a tenant id can post forged callbacks): failures are counted per tenant,
// provider and route and audited once a minute (`webhook.rejected`), and past the failure budget
// the signing key is no longer decrypted for each check (signing-keys.ts).
import { timingSafeEqual } from 'node:crypto';
import type { Secret, TenantId } from '../../crypto/index.js';
import { TelvaultError } from '../../errors.js';
import { isValidRetellSignature } from '../../providers/retell/index.js';
import { isValidTwilioSignature } from '../../providers/twilio/index.js';
import { callStatusOf, type ActivityKind, type ActivityRecords } from '../activity/index.js';
import type { Actor } from '../audit/actor.js';
import type { AuditService } from '../audit/audit-service.js';
import type { Logger } from '../common/index.js';
import type { CredentialService } from '../credentials/credential-service.js';
import type { WebhookFailureBudget } from '../limits/index.js';
import { createFailureTally, type CheckRoute } from './failure-tally.js';
import { hookTokenHash } from './hook-urls.js';
import { createSigningKeys, type SigningProvider } from './signing-keys.js';
import type { WebhookVerifyInput, WebhookVerifyView } from './webhook-schemas.js';
import './errors.js';

/** The operations the decryptions are audited with. Do not change. */
export const WEBHOOK_TWILIO = 'webhook.twilio';
export const WEBHOOK_RETELL = 'webhook.retell';
export const WEBHOOKS_VERIFY = 'webhooks.verify';

const HOOK_ACTOR: Actor = { kind: 'system', name: 'webhooks' };

export interface WebhookServiceDeps {
  credentials: Pick<CredentialService, 'openForCheck' | 'recordUse'>;
  activity: ActivityRecords;
  audit: Pick<AuditService, 'record'>;
  budget: WebhookFailureBudget;
  logger: Logger;
}

export interface HookResult {
  /** Whether a record moved to a new status. */
  updated: boolean;
}

const refused = (what: string) =>
  new TelvaultError('ERR_WEBHOOK_SIGNATURE_INVALID', `${what}: the signature does not match`);

const notConfigured = (provider: string) =>
  new TelvaultError('ERR_PROVIDER_NOT_CONFIGURED', `${provider} credentials are not set`);

export function createWebhookService(deps: WebhookServiceDeps) {
  const { activity } = deps;
  const failures = createFailureTally(deps);
  const keys = createSigningKeys({
    budget: deps.budget,
    async open(tenantId, provider) {
      const c = await deps.credentials.openForCheck(tenantId, provider);
      if (c === undefined) throw notConfigured(provider);
      // Twilio signs with the auth token (never an API key); Retell with the webhook key when one
      // is stored, else the API key.
      return provider === 'twilio'
        ? c.secrets['authToken']
        : (c.secrets['webhookKey'] ?? c.secrets['apiKey']);
    },
  });

  /**
   * Whether `test` passes under the tenant's signing key: a pass is audited as a use under
   * `operation`, a failure only counted. Rejects with ERR_PROVIDER_NOT_CONFIGURED when no
   * credentials are stored (counted as a failure too when `via` is a callback).
   */
  async function checkSigned(
    tenantId: TenantId,
    provider: SigningProvider,
    check: { operation: string; actor: Actor; via: CheckRoute },
    test: (key: Secret) => boolean | Promise<boolean>,
  ): Promise<boolean> {
    let key: Secret | undefined;
    try {
      key = await keys.keyOf(tenantId, provider);
    } catch (err) {
      if (check.via === 'hook') failures.count(tenantId, provider, check.via);
      throw err;
    }
    if (key !== undefined && (await test(key))) {
      await deps.credentials.recordUse(tenantId, provider, check.operation, check.actor);
      return true;
    }
    failures.count(tenantId, provider, check.via);
    await keys.failed(tenantId, provider);
    return false;
  }

  /** A provider's callback: refused (403) unless signed under the tenant's key. */
  async function checkHook(
    tenantId: TenantId,
    provider: SigningProvider,
    header: string,
    signature: string | undefined,
    test: (key: Secret, signature: string) => boolean | Promise<boolean>,
  ): Promise<void> {
    // Unsigned: refused before anything is decrypted.
    if (signature === undefined) {
      failures.count(tenantId, provider, 'hook');
      throw refused(header);
    }
    const operation = provider === 'twilio' ? WEBHOOK_TWILIO : WEBHOOK_RETELL;
    let valid: boolean;
    try {
      valid = await checkSigned(
        tenantId,
        provider,
        { operation, actor: HOOK_ACTOR, via: 'hook' },
        (k) => test(k, signature),
      );
    } catch (err) {
      // No credentials to check with: to the caller, the same refusal as a bad signature.
      if (err instanceof TelvaultError && err.code === 'ERR_PROVIDER_NOT_CONFIGURED')
        throw refused(header);
      throw err;
    }
    if (!valid) throw refused(header);
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
      await checkHook(tenantId, 'twilio', 'X-Twilio-Signature', input.signature, (key, sig) =>
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
        failures.count(tenantId, 'exotel', 'hook');
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
      await checkHook(tenantId, 'retell', 'x-retell-signature', signature, (key, sig) =>
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
      const check = { operation: WEBHOOKS_VERIFY, actor, via: 'verify' } as const;
      const valid = await checkSigned(tenantId, input.provider, check, (key) =>
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
    flushFailures: () => failures.flush(),
    /** Whether checks for a tenant and provider use a held key (a flood of forged ones). */
    flooded: (tenantId: TenantId, provider: SigningProvider) => keys.flooded(tenantId, provider),
    async close(): Promise<void> {
      keys.close();
      await failures.close();
    },
  };
}

export type WebhookService = ReturnType<typeof createWebhookService>;
