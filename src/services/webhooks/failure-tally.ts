// Failed callback checks, counted in memory per tenant, provider and route and written as one
// audit event `webhook.rejected` { provider, via, count } each at most once a minute (and on
// close), as `limits.rejected` does for the outbound limits: anyone who knows a tenant id can post
// forged callbacks, and one row each would let them grow the audit log without bound. Never the
// signature, the body or the caller's address.
import type { TenantId } from '../../crypto/index.js';
import type { Actor, AuditService } from '../audit/index.js';
import type { Logger } from '../common/index.js';
import { REJECTION_FLUSH_MS } from '../limits/index.js';

/** The audit action of the counts. Do not change. */
export const WEBHOOK_REJECTED = 'webhook.rejected';
const ACTOR: Actor = { kind: 'system', name: 'webhooks' };

/** Where the failed check came in: a provider's callback, or the platform's verify request. */
export type CheckRoute = 'hook' | 'verify';

export interface FailureTally {
  count(tenantId: TenantId, provider: string, via: CheckRoute): void;
  /** Writes the counts so far (one event per tenant, provider and route) and starts afresh. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

interface Tally {
  tenantId: TenantId;
  provider: string;
  via: CheckRoute;
  count: number;
}

export function createFailureTally(deps: {
  audit: Pick<AuditService, 'record'>;
  logger: Logger;
}): FailureTally {
  let tallies = new Map<string, Tally>();
  let flushing: Promise<void> = Promise.resolve();

  async function write(batch: Iterable<Tally>): Promise<void> {
    for (const t of batch) {
      const detail = { provider: t.provider, via: t.via, count: t.count };
      try {
        await deps.audit.record({
          tenantId: t.tenantId,
          actor: ACTOR,
          action: WEBHOOK_REJECTED,
          target: t.provider,
          outcome: 'failure',
          detail,
        });
      } catch (err) {
        // The tenant may be gone, or the database down: the count is logged instead, once.
        deps.logger.warn(
          { tenantId: t.tenantId, ...detail, reason: String(err) },
          'webhooks: rejected callbacks not audited',
        );
      }
    }
  }

  function flush(): Promise<void> {
    const batch = tallies;
    tallies = new Map();
    flushing = flushing.then(() => write(batch.values()));
    return flushing;
  }

  const timer = setInterval(() => void flush(), REJECTION_FLUSH_MS);
  timer.unref();

  return {
    count(tenantId, provider, via) {
      const id = JSON.stringify([tenantId, provider, via]);
      const t = tallies.get(id);
      if (t !== undefined) t.count += 1;
      else tallies.set(id, { tenantId, provider, via, count: 1 });
    },
    flush,
    async close() {
      clearInterval(timer);
      await flush();
    },
  };
}
