// Refusals of the outbound limits, counted in memory per tenant, kind and window and written as one
// audit event `limits.rejected` { kind, window, count } each at most once a minute (and on close):
// an audit trail of pressure on the limits without one event per refused request, and never the
// destination number or the caller's address.
import type { Actor, AuditService } from '../audit/index.js';
import type { Logger } from '../common/index.js';
import type { PolicyKind } from './limits-policy.js';

export const REJECTION_FLUSH_MS = 60_000;
const ACTOR: Actor = { kind: 'system', name: 'limits' };

export interface RejectionCounter {
  count(tenantId: string, kind: PolicyKind, window: string): void;
  /** Writes the counts so far (one event per tenant, kind and window) and starts afresh. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

interface Tally {
  tenantId: string;
  kind: PolicyKind;
  window: string;
  count: number;
}

export function createRejectionCounter(deps: {
  audit: Pick<AuditService, 'record'>;
  logger: Logger;
}): RejectionCounter {
  let tallies = new Map<string, Tally>();
  let flushing: Promise<void> = Promise.resolve();

  async function write(batch: Iterable<Tally>): Promise<void> {
    for (const t of batch) {
      try {
        await deps.audit.record({
          tenantId: t.tenantId,
          actor: ACTOR,
          action: 'limits.rejected',
          target: t.kind,
          detail: { kind: t.kind, window: t.window, count: t.count },
        });
      } catch (err) {
        // The tenant may be gone, or the database down: the count is logged instead, once.
        deps.logger.warn(
          {
            tenantId: t.tenantId,
            kind: t.kind,
            window: t.window,
            count: t.count,
            reason: String(err),
          },
          'limits: rejections not audited',
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
    count(tenantId, kind, window) {
      const id = JSON.stringify([tenantId, kind, window]);
      const t = tallies.get(id);
      if (t !== undefined) t.count += 1;
      else tallies.set(id, { tenantId, kind, window, count: 1 });
    },
    flush,
    async close() {
      clearInterval(timer);
      await flush();
    },
  };
}
