// Events counted in memory and written as one audit event per tenant and detail (with a `count`)
// at most once a minute, and on close: for what happens too often, or can be made to happen by
// anyone, to be audited one row each (refusals of the outbound limits, failed callback checks).
// The detail is what the counts are kept apart by; never a value a caller sent.
import type { Actor } from './actor.js';
import type { AuditService } from './audit-service.js';
import type { Logger } from '../common/index.js';

export const COUNTED_FLUSH_MS = 60_000;

export interface CountedEventSpec<D extends Record<string, string>> {
  action: string;
  actor: Actor;
  target: (detail: D) => string;
  outcome?: 'failure';
  /** The warning logged (with the count) when an event cannot be written. */
  unwritten: string;
}

export interface CountedEvents<D extends Record<string, string>> {
  count(tenantId: string, detail: D): void;
  /** Writes the counts so far (one event per tenant and detail) and starts afresh. */
  flush(this: void): Promise<void>;
  close(this: void): Promise<void>;
}

export function createCountedEvents<D extends Record<string, string>>(
  deps: { audit: Pick<AuditService, 'record'>; logger: Logger },
  spec: CountedEventSpec<D>,
): CountedEvents<D> {
  let tallies = new Map<string, { tenantId: string; detail: D; count: number }>();
  let flushing: Promise<void> = Promise.resolve();

  async function write(batch: Map<string, { tenantId: string; detail: D; count: number }>) {
    for (const { tenantId, detail, count } of batch.values()) {
      try {
        await deps.audit.record({
          tenantId,
          actor: spec.actor,
          action: spec.action,
          target: spec.target(detail),
          ...(spec.outcome === undefined ? {} : { outcome: spec.outcome }),
          detail: { ...detail, count },
        });
      } catch (err) {
        // The tenant may be gone, or the database down: the count is logged instead, once.
        const fields: Record<string, unknown> = { tenantId, ...detail, count, reason: String(err) };
        deps.logger.warn(fields, spec.unwritten);
      }
    }
  }

  function flush(): Promise<void> {
    const batch = tallies;
    tallies = new Map();
    flushing = flushing.then(() => write(batch));
    return flushing;
  }

  const timer = setInterval(() => void flush(), COUNTED_FLUSH_MS);
  timer.unref();

  return {
    count(tenantId, detail) {
      const id = JSON.stringify([tenantId, detail]);
      const t = tallies.get(id);
      if (t !== undefined) t.count += 1;
      else tallies.set(id, { tenantId, detail, count: 1 });
    },
    flush,
    async close() {
      clearInterval(timer);
      await flush();
    },
  };
}
