// Idempotency-Key requests: begin (begin-request.ts) claims, waits, replays or takes over; the
// holder then saves its intent state, marks the entry sent just before the provider call, and
// stores the outcome, or gives the entry up. Every write of a holder renews its lease and is
// conditioned on its generation (which each takeover bumps), so a holder that lost its entry cannot
// record over the one that took it. Only 2xx and 4xx outcomes are stored; the response body (and a
// sealed intent state) is sealed through the encrypted-record path.
import { hostname } from 'node:os';
import type { TenantId } from '../../crypto/index.js';
import { TelvaultError } from '../../errors.js';
import {
  completeIdempotencyKey,
  deleteResourceIdempotencyKeys,
  releaseIdempotencyKey,
  sweepIdempotencyKeys,
  sweepOrphanIdempotencyPayloads,
  updateHeldIdempotencyKey,
  type HolderUpdate,
} from '../../store/idempotency-repo.js';
import { beginRequest, iso, positiveInteger } from './begin-request.js';
import { INTENT_FIELD, RESPONSE_FIELD, writePayloadField } from './idempotency-payloads.js';
import {
  isStorableStatus,
  type BeginInput,
  type BeginResult,
  type IdempotencyEntry,
  type IdempotencyServiceDeps,
  type IdempotentOutcome,
} from './idempotency-types.js';
import { leaseLost } from './refusals.js';

export function createIdempotencyService(deps: IdempotencyServiceDeps) {
  const { db, records, keys } = deps;
  const leaseMs = positiveInteger('leaseMs', deps.leaseMs, 30_000);
  const waitMs = positiveInteger('waitMs', deps.waitMs, 10_000);
  const pollMs = positiveInteger('pollMs', deps.pollMs, 100);
  const defaultTtlMs = positiveInteger('ttlMs', deps.ttlMs, 24 * 60 * 60 * 1000);
  const sweepBatch = positiveInteger('sweepBatch', deps.sweepBatch, 500);
  const owner = deps.owner ?? `${hostname()}:${process.pid}`;

  const settings = { db, records, keys, leaseMs, waitMs, pollMs, defaultTtlMs, owner };

  /** Renews the lease with what the holder records; false when it no longer holds the entry. */
  const renewWith = (
    entry: IdempotencyEntry,
    u: Omit<HolderUpdate, 'leaseUntil' | 'now'>,
  ): Promise<boolean> => {
    const now = Date.now();
    const update = { ...u, leaseUntil: iso(now + leaseMs), now: iso(now) };
    return updateHeldIdempotencyKey(db, entry.id, entry.generation, update);
  };

  /** renewWith, throwing when the holder no longer holds the entry. */
  async function hold(entry: IdempotencyEntry, u: Omit<HolderUpdate, 'leaseUntil' | 'now'>) {
    if (!(await renewWith(entry, u))) throw leaseLost();
  }

  const audit = (entry: IdempotencyEntry, action: string, status?: number) => ({
    actor: entry.actor,
    action,
    target: `idempotency:${entry.id}`,
    ...(status === undefined ? {} : { detail: { status } }),
  });

  return {
    leaseMs,

    /** Claims the key for this request, or answers what its first request answered. */
    begin: (input: BeginInput): Promise<BeginResult> => beginRequest(settings, input),

    /** Saves the workflow's intent state (renews the lease); `sealed` when it holds a value. */
    async saveState(
      entry: IdempotencyEntry,
      state: unknown,
      options: { sealed?: boolean } = {},
    ): Promise<void> {
      const json = JSON.stringify(state ?? null);
      if (options.sealed !== true) return hold(entry, { intent: { json, sealed: false } });
      const event = audit(entry, 'idempotency.intent');
      await writePayloadField(records, entry, INTENT_FIELD, json, event);
      await hold(entry, { intent: { json: null, sealed: true } });
    },

    /**
     * Marks the entry sent: call it just before the provider call, which must not be made if this
     * throws. From then on a retry after this holder died is an unknown outcome (naming
     * `recordId`), never a second call.
     */
    async markSent(entry: IdempotencyEntry, recordId?: string): Promise<void> {
      await hold(entry, { sentAt: new Date().toISOString(), recordId: recordId ?? null });
    },

    /** Renews the lease; false when the entry was taken over. */
    renew: (entry: IdempotencyEntry): Promise<boolean> => renewWith(entry, {}),

    /** Renews the lease every third of it until the returned function is called or it is lost. */
    keepAlive(entry: IdempotencyEntry): () => void {
      const timer = setInterval(
        () => {
          // A renewal that failed is tried again next time; a lost entry is not.
          void renewWith(entry, {}).then(
            (held) => held || clearInterval(timer),
            () => undefined,
          );
        },
        Math.max(1, Math.floor(leaseMs / 3)),
      );
      timer.unref();
      return () => clearInterval(timer);
    },

    /** Stores the outcome (2xx, 4xx, or 502 for a provider's definite refusal), sealed. */
    async complete(entry: IdempotencyEntry, outcome: IdempotentOutcome): Promise<void> {
      if (!isStorableStatus(outcome.status)) {
        throw new TelvaultError('ERR_INTERNAL', 'idempotency: only a 2xx, 4xx or 502 is stored');
      }
      const body = JSON.stringify(outcome.body ?? null);
      const event = audit(entry, 'idempotency.store', outcome.status);
      await writePayloadField(records, entry, RESPONSE_FIELD, body, event);
      const bound = entry.ttlMs === null && outcome.resourceId !== undefined;
      const ttl = entry.ttlMs ?? defaultTtlMs;
      const done = {
        status: outcome.status,
        resourceId: outcome.resourceId ?? null,
        expiresAt: bound ? null : iso(Date.parse(entry.createdAt) + ttl),
        now: new Date().toISOString(),
      };
      if (!(await completeIdempotencyKey(db, entry.id, entry.generation, done))) throw leaseLost();
    },

    /**
     * Gives the entry up after a failure: a retry runs fresh when nothing was sent or saved;
     * otherwise its lease ends now (a retry resumes it, or is told its outcome is unknown).
     */
    async release(entry: IdempotencyEntry): Promise<void> {
      await releaseIdempotencyKey(db, entry.id, entry.generation, new Date().toISOString());
    },

    /** Deletes the entries bound to a resource being deleted; how many. */
    forgetResource(tenantId: TenantId, resourceId: string): Promise<number> {
      return deleteResourceIdempotencyKeys(db, tenantId, resourceId);
    },

    /** Deletes the entries expired at `now` (and payloads left without entry), in batches. */
    async sweep(now: number = Date.now()): Promise<number> {
      let total = 0;
      for (;;) {
        const n = await sweepIdempotencyKeys(db, iso(now), sweepBatch);
        total += n;
        if (n < sweepBatch) break;
      }
      while ((await sweepOrphanIdempotencyPayloads(db, sweepBatch)) === sweepBatch);
      return total;
    },
  };
}

export type IdempotencyService = ReturnType<typeof createIdempotencyService>;
