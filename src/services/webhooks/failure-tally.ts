// Failed callback checks, counted in memory per tenant, provider and route and written as one
// audit event `webhook.rejected` { provider, via, count } each at most once a minute (and on
// close), as `limits.rejected` does for the outbound limits: anyone who knows a tenant id can post
// forged callbacks, and one row each would let them grow the audit log without bound. Never the
// signature, the body or the caller's address.
import type { TenantId } from '../../crypto/index.js';
import { createCountedEvents } from '../audit/counted-events.js';
import type { AuditService } from '../audit/index.js';
import type { Logger } from '../common/index.js';

/** The audit action of the counts. Do not change. */
export const WEBHOOK_REJECTED = 'webhook.rejected';

/** Where the failed check came in: a provider's callback, or the platform's verify request. */
export type CheckRoute = 'hook' | 'verify';

export interface FailureTally {
  count(tenantId: TenantId, provider: string, via: CheckRoute): void;
  /** Writes the counts so far (one event per tenant, provider and route) and starts afresh. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

export function createFailureTally(deps: {
  audit: Pick<AuditService, 'record'>;
  logger: Logger;
}): FailureTally {
  const events = createCountedEvents<{ provider: string; via: CheckRoute }>(deps, {
    action: WEBHOOK_REJECTED,
    actor: { kind: 'system', name: 'webhooks' },
    target: (d) => d.provider,
    outcome: 'failure',
    unwritten: 'webhooks: rejected callbacks not audited',
  });
  return {
    count: (tenantId, provider, via) => events.count(tenantId, { provider, via }),
    flush: events.flush,
    close: events.close,
  };
}
