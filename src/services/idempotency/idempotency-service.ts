// Idempotency-Key requests. The first request with a key claims an entry (one per tenant and key,
// won by an insert on a unique constraint) and holds it under a lease; a duplicate with the same
// request waits for it, polling the database (the holder may be another process on the SQLite file
// or another server on PostgreSQL), then gets its stored response; a duplicate with another request
// is refused. A holder whose lease ran out is dead (or too slow to renew): a non-resumable entry
// (calls, messages, email) is taken over and run fresh if its holder had not marked it sent, and is
// otherwise an unknown outcome, never a second provider call; a resumable entry (a provisioning
// workflow) is taken over with the intent state its holder saved. Every write of a holder is
// conditioned on its generation, which each takeover bumps, so a holder that lost its entry cannot
// record over the one that took it. Only 2xx and 4xx outcomes are stored; the response body (and a
// sealed intent state) is sealed through the encrypted-record path.
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TenantId } from '../../crypto/index.js';
import { TelvaultError } from '../../errors.js';
import type { Database } from '../../store/database.js';
import {
  completeIdempotencyKey,
  deleteExpiredIdempotencyKey,
  deleteResourceIdempotencyKeys,
  findIdempotencyKey,
  insertIdempotencyKey,
  releaseIdempotencyKey,
  sweepIdempotencyKeys,
  sweepOrphanIdempotencyPayloads,
  takeOverIdempotencyKey,
  updateHeldIdempotencyKey,
  type HolderUpdate,
  type IdempotencyKeyRow,
} from '../../store/idempotency-repo.js';
import type { IdempotencyMode } from '../../store/schema.js';
import { newId } from '../../store/time.js';
import type { Actor } from '../audit/actor.js';
import type { KeyService } from '../keys/key-service.js';
import type { EncryptedRecords } from '../records/index.js';
import { inProgress, IdempotencyOutcomeUnknownError, keyReused, leaseLost } from './refusals.js';
import {
  INTENT_FIELD,
  readPayloadField,
  RESPONSE_FIELD,
  writePayloadField,
} from './idempotency-payloads.js';
import { requestMacs } from './request-mac.js';

export type { IdempotencyMode } from '../../store/schema.js';

export interface IdempotencyOptions {
  /** How long a holder's lease lasts unless renewed (default 30 s). */
  leaseMs?: number;
  /** How long a duplicate waits for the request in progress (default 10 s). */
  waitMs?: number;
  /** How often a waiting duplicate reads the entry again (default 100 ms). */
  pollMs?: number;
  /** How long an entry is kept after its first request (default 24 h). */
  ttlMs?: number;
  /** Names this process in leases (default host:pid). */
  owner?: string;
  /** Entries deleted per sweep transaction (default 500). */
  sweepBatch?: number;
}

export interface IdempotencyServiceDeps extends IdempotencyOptions {
  db: Database;
  records: EncryptedRecords;
  keys: Pick<KeyService, 'rateLimitKey'>;
}

export interface BeginInput {
  tenantId: TenantId;
  /** The Idempotency-Key header's value. */
  key: string;
  method: string;
  /** The route's template, not the path sent. */
  route: string;
  /** The parsed body (compared as canonical JSON). */
  body: unknown;
  mode: IdempotencyMode;
  /**
   * How long the entry is kept after its first request (default: the service's). null: for as
   * long as the resource its outcome names exists (`forgetResource` releases it); an outcome that
   * names none is kept for the service's default.
   */
  ttlMs?: number | null;
  /** Who the audit events of the entry's sealed writes name (default system:idempotency). */
  actor?: Actor;
}

/** An entry held by the caller (the request that runs). */
export interface IdempotencyEntry {
  readonly id: string;
  readonly tenantId: TenantId;
  readonly mode: IdempotencyMode;
  /** The holder's fencing token. */
  readonly generation: number;
  readonly createdAt: string;
  readonly ttlMs: number | null;
  readonly actor: Actor;
}

export type BeginResult =
  | {
      kind: 'run';
      entry: IdempotencyEntry;
      /** The intent state a previous holder saved (resumable entries), else undefined. */
      resumedState: unknown;
      takenOver: boolean;
    }
  | { kind: 'replay'; status: number; body: unknown; resourceId: string | null };

export interface IdempotentOutcome {
  /** 2xx or 4xx: stored and replayed. */
  status: number;
  body: unknown;
  /** The resource created (a phone's id): a `ttlMs: null` entry lives as long as it does. */
  resourceId?: string | undefined;
}

const SYSTEM_ACTOR: Actor = { kind: 'system', name: 'idempotency' };

const iso = (ms: number): string => new Date(ms).toISOString();

function positive(name: string, v: number | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  if (!Number.isSafeInteger(v) || v <= 0) {
    throw new TelvaultError('ERR_INTERNAL', `idempotency: "${name}" expected a positive integer`);
  }
  return v;
}

/** Expired and not held: done, or its holder's lease is over (the repo's condition, in memory). */
function expired(row: IdempotencyKeyRow, now: string): boolean {
  if (row.expires_at === null || row.expires_at > now) return false;
  return row.state === 'done' || row.lease_expires_at === null || row.lease_expires_at <= now;
}

export const isStorableStatus = (s: number): boolean =>
  Number.isInteger(s) && ((s >= 200 && s <= 299) || (s >= 400 && s <= 499));

export function createIdempotencyService(deps: IdempotencyServiceDeps) {
  const { db, records, keys } = deps;
  const leaseMs = positive('leaseMs', deps.leaseMs, 30_000);
  const waitMs = positive('waitMs', deps.waitMs, 10_000);
  const pollMs = positive('pollMs', deps.pollMs, 100);
  const defaultTtlMs = positive('ttlMs', deps.ttlMs, 24 * 60 * 60 * 1000);
  const sweepBatch = positive('sweepBatch', deps.sweepBatch, 500);
  const owner = deps.owner ?? `${hostname()}:${process.pid}`;

  const entryOf = (row: IdempotencyKeyRow, input: BeginInput, generation: number) => ({
    id: row.id,
    tenantId: input.tenantId,
    mode: row.mode,
    generation,
    createdAt: row.created_at,
    ttlMs: input.ttlMs === undefined ? defaultTtlMs : input.ttlMs,
    actor: input.actor ?? SYSTEM_ACTOR,
  });

  async function intentOf(tenantId: TenantId, row: IdempotencyKeyRow): Promise<unknown> {
    if (row.intent_sealed === 1) {
      const text = await readPayloadField(records, tenantId, row.id, INTENT_FIELD);
      if (text === undefined) {
        throw new TelvaultError('ERR_INTERNAL', 'idempotency: a sealed intent state is missing');
      }
      return JSON.parse(text) as unknown;
    }
    return row.intent_json === null ? undefined : (JSON.parse(row.intent_json) as unknown);
  }

  /** Renews the lease with what the holder records; throws when it no longer holds the entry. */
  async function hold(entry: IdempotencyEntry, u: Omit<HolderUpdate, 'leaseUntil' | 'now'>) {
    const now = Date.now();
    const update = { ...u, leaseUntil: iso(now + leaseMs), now: iso(now) };
    if (!(await updateHeldIdempotencyKey(db, entry.id, entry.generation, update))) {
      throw leaseLost();
    }
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
    async begin(input: BeginInput): Promise<BeginResult> {
      if (input.ttlMs !== undefined && input.ttlMs !== null) positive('ttlMs', input.ttlMs, 0);
      const macs = await requestMacs(keys, input);
      const deadline = Date.now() + waitMs;
      let missing: string | undefined;
      for (;;) {
        const row = await findIdempotencyKey(db, input.tenantId, macs.keyHash);
        const now = Date.now();
        const nowText = iso(now);
        if (row === undefined) {
          const ttl = input.ttlMs ?? defaultTtlMs;
          const fresh: IdempotencyKeyRow = {
            id: newId(),
            tenant_id: input.tenantId,
            key_hash: macs.keyHash,
            fingerprint: macs.fingerprint,
            mode: input.mode,
            state: 'running',
            generation: 1,
            lease_owner: owner,
            lease_expires_at: iso(now + leaseMs),
            sent_at: null,
            record_id: null,
            intent_json: null,
            intent_sealed: 0,
            status: null,
            resource_id: null,
            expires_at: iso(now + ttl),
            created_at: nowText,
            updated_at: nowText,
          };
          if (await insertIdempotencyKey(db, fresh)) {
            return {
              kind: 'run',
              entry: entryOf(fresh, input, 1),
              resumedState: undefined,
              takenOver: false,
            };
          }
          continue; // another request claimed it first: read its entry
        }
        if (expired(row, nowText)) {
          await deleteExpiredIdempotencyKey(db, row.id, nowText);
          continue;
        }
        if (row.fingerprint !== macs.fingerprint) throw keyReused();
        if (row.state === 'done') {
          const text = await readPayloadField(records, input.tenantId, row.id, RESPONSE_FIELD);
          if (text !== undefined && row.status !== null) {
            const body = JSON.parse(text) as unknown;
            return { kind: 'replay', status: row.status, body, resourceId: row.resource_id };
          }
          // Deleted meanwhile (expired, its resource gone): read again. Still there: broken.
          if (missing === row.id) {
            throw new TelvaultError('ERR_INTERNAL', 'idempotency: a stored response is missing');
          }
          missing = row.id;
          continue;
        }
        const leaseLeft =
          row.lease_expires_at === null ? 0 : Date.parse(row.lease_expires_at) - now;
        if (leaseLeft > 0) {
          if (now >= deadline) throw inProgress(leaseLeft / 1000);
          await sleep(Math.min(pollMs, deadline - now));
          continue;
        }
        // The holder's lease is over: it died (or could not renew).
        if (row.mode === 'once' && row.sent_at !== null) {
          throw new IdempotencyOutcomeUnknownError(row.record_id);
        }
        const next = { owner, leaseUntil: iso(now + leaseMs), now: nowText };
        if (await takeOverIdempotencyKey(db, row, next)) {
          const entry = entryOf(row, input, row.generation + 1);
          const resumedState = await intentOf(input.tenantId, row);
          return { kind: 'run', entry, resumedState, takenOver: true };
        }
      }
    },

    /** Saves the workflow's intent state (renews the lease); `sealed` when it holds a value. */
    async saveState(
      entry: IdempotencyEntry,
      state: unknown,
      options: { sealed?: boolean } = {},
    ): Promise<void> {
      const json = JSON.stringify(state ?? null);
      if (options.sealed !== true) return hold(entry, { intent: { json, sealed: false } });
      await writePayloadField(
        records,
        entry,
        INTENT_FIELD,
        json,
        audit(entry, 'idempotency.intent'),
      );
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
    async renew(entry: IdempotencyEntry): Promise<boolean> {
      return hold(entry, {}).then(
        () => true,
        () => false,
      );
    },

    /** Renews the lease every third of it until the returned function is called. */
    keepAlive(entry: IdempotencyEntry): () => void {
      const timer = setInterval(
        () => {
          void hold(entry, {}).catch(() => clearInterval(timer));
        },
        Math.max(1, Math.floor(leaseMs / 3)),
      );
      timer.unref();
      return () => clearInterval(timer);
    },

    /** Stores the outcome (2xx or 4xx) for replay, sealed. */
    async complete(entry: IdempotencyEntry, outcome: IdempotentOutcome): Promise<void> {
      if (!isStorableStatus(outcome.status)) {
        throw new TelvaultError('ERR_INTERNAL', 'idempotency: only a 2xx or 4xx is stored');
      }
      const body = JSON.stringify(outcome.body ?? null);
      const store = audit(entry, 'idempotency.store', outcome.status);
      await writePayloadField(records, entry, RESPONSE_FIELD, body, store);
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
