// Failed webhook signature checks, counted per tenant and provider on the deployment's limiter
// store: anyone who knows a tenant id (it is in every callback URL) can post forged callbacks.
// Keyed by an HMAC of tenant and provider under the system rate-limit key, never the id itself.
// Only failures are counted and nothing is refused for it: over budget, the webhook service stops
// decrypting the signing key for each check (webhooks/signing-keys.ts), so a valid callback is
// never blocked. Not per client address: an attacker's own Twilio account posts from Twilio's
// shared egress addresses, and a per-address limit would let it lock out every tenant's callbacks.
import type { TenantId } from '../../crypto/index.js';
import type { Logger } from '../common/index.js';
import type { KeyService } from '../keys/index.js';
import type { LimiterFactory, LimitSpec } from './limiter-factory.js';

/** Domain string of the budget's keys (a JSON array: unambiguous). Stored in the store: do not change. */
const WEBHOOK_KEY_DOMAIN = 'telvault/limits/webhook-failures/v1';

/** 20 failed checks a minute per tenant and provider before the key is no longer opened per check. */
export const WEBHOOK_FAILURE_BUDGET: Readonly<LimitSpec> = Object.freeze({
  name: 'webhook-failures',
  points: 20,
  windowSeconds: 60,
});

export interface WebhookFailureBudget {
  /**
   * Counts one failed check. Resolves to the seconds left in the budget's window when it is spent,
   * else undefined (also when it cannot be counted: fails open, to a key opened per check).
   */
  recordFailure(tenantId: TenantId, provider: string): Promise<number | undefined>;
}

export interface WebhookFailureBudgetDeps {
  limiters: Pick<LimiterFactory, 'create'>;
  keys: Pick<KeyService, 'rateLimitKey'>;
  logger: Logger;
  spec?: LimitSpec | undefined;
}

export function createWebhookFailureBudget(deps: WebhookFailureBudgetDeps): WebhookFailureBudget {
  let limiter: ReturnType<LimiterFactory['create']> | undefined;
  return {
    async recordFailure(tenantId, provider) {
      let key: string;
      try {
        key = await deps.keys.rateLimitKey(
          JSON.stringify([WEBHOOK_KEY_DOMAIN, tenantId, provider]),
        );
        limiter ??= deps.limiters.create(deps.spec ?? WEBHOOK_FAILURE_BUDGET);
        const decision = await (await limiter).hit(key);
        return decision.limited ? decision.retryAfterSeconds : undefined;
      } catch (err) {
        limiter = undefined;
        deps.logger.warn({ reason: String(err) }, 'limits: webhook failures not counted');
        return undefined;
      }
    },
  };
}
