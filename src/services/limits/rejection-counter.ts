// Refusals of the outbound limits, counted in memory per tenant, kind and window and written as one
// audit event `limits.rejected` { kind, window, count } each at most once a minute (and on close):
// an audit trail of pressure on the limits without one event per refused request, and never the
// destination number or the caller's address.
import { COUNTED_FLUSH_MS, createCountedEvents } from '../audit/counted-events.js';
import type { AuditService } from '../audit/index.js';
import type { Logger } from '../common/index.js';
import type { PolicyKind } from './limits-policy.js';

export const REJECTION_FLUSH_MS = COUNTED_FLUSH_MS;

export interface RejectionCounter {
  count(tenantId: string, kind: PolicyKind, window: string): void;
  /** Writes the counts so far (one event per tenant, kind and window) and starts afresh. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

export function createRejectionCounter(deps: {
  audit: Pick<AuditService, 'record'>;
  logger: Logger;
}): RejectionCounter {
  const events = createCountedEvents<{ kind: PolicyKind; window: string }>(deps, {
    action: 'limits.rejected',
    actor: { kind: 'system', name: 'limits' },
    target: (d) => d.kind,
    unwritten: 'limits: rejections not audited',
  });
  return {
    count: (tenantId, kind, window) => events.count(tenantId, { kind, window }),
    flush: events.flush,
    close: events.close,
  };
}
