// Beginning a request with an Idempotency-Key. The first request with a key claims an entry (one
// per tenant and key, won by an insert on a unique constraint); a duplicate with the same request
// waits for it, polling the database (the holder may be another process on the SQLite file or
// another server on PostgreSQL), then gets its stored response; a duplicate with another request
// is refused at once. A holder whose lease ran out is dead (or too slow to renew): a non-resumable
// entry is taken over and run fresh if it was not marked sent, and is otherwise an unknown
// outcome, never a second provider call; a resumable entry is taken over with the intent state
// its holder saved. A takeover is a compare-and-set that bumps the entry's generation.
import { setTimeout as sleep } from 'node:timers/promises';
import type { TenantId } from '../../crypto/index.js';
import { TelvaultError } from '../../errors.js';
import type { Database } from '../../store/database.js';
import {
  deleteExpiredIdempotencyKey,
  findIdempotencyKey,
  insertIdempotencyKey,
  takeOverIdempotencyKey,
  type IdempotencyKeyRow,
} from '../../store/idempotency-repo.js';
import { newId } from '../../store/time.js';
import type { Actor } from '../audit/actor.js';
import type { KeyService } from '../keys/key-service.js';
import type { EncryptedRecords } from '../records/index.js';
import { INTENT_FIELD, readPayloadField, RESPONSE_FIELD } from './idempotency-payloads.js';
import type { BeginInput, BeginResult, IdempotencyEntry } from './idempotency-types.js';
import { inProgress, IdempotencyOutcomeUnknownError, keyReused } from './refusals.js';
import { requestMacs } from './request-mac.js';

/** The service's settings a begin uses. */
export interface BeginSettings {
  db: Database;
  records: EncryptedRecords;
  keys: Pick<KeyService, 'rateLimitKey'>;
  leaseMs: number;
  waitMs: number;
  pollMs: number;
  defaultTtlMs: number;
  owner: string;
}

const SYSTEM_ACTOR: Actor = { kind: 'system', name: 'idempotency' };

export const iso = (ms: number): string => new Date(ms).toISOString();

export function positiveInteger(name: string, v: number | undefined, fallback: number): number {
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

const entryOf = (
  defaultTtlMs: number,
  row: IdempotencyKeyRow,
  input: BeginInput,
  generation: number,
): IdempotencyEntry => ({
  id: row.id,
  tenantId: input.tenantId,
  mode: row.mode,
  generation,
  createdAt: row.created_at,
  ttlMs: input.ttlMs === undefined ? defaultTtlMs : input.ttlMs,
  actor: input.actor ?? SYSTEM_ACTOR,
});

async function intentOf(
  records: EncryptedRecords,
  tenantId: TenantId,
  row: IdempotencyKeyRow,
): Promise<unknown> {
  if (row.intent_sealed === 1) {
    const text = await readPayloadField(records, tenantId, row.id, INTENT_FIELD);
    if (text === undefined) {
      throw new TelvaultError('ERR_INTERNAL', 'idempotency: a sealed intent state is missing');
    }
    return JSON.parse(text) as unknown;
  }
  return row.intent_json === null ? undefined : (JSON.parse(row.intent_json) as unknown);
}

/** Claims the key for this request, or answers what its first request answered. */
export async function beginRequest(s: BeginSettings, input: BeginInput): Promise<BeginResult> {
  const { db, records, keys, leaseMs, waitMs, pollMs, defaultTtlMs, owner } = s;
  if (input.ttlMs !== undefined && input.ttlMs !== null) positiveInteger('ttlMs', input.ttlMs, 0);
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
          entry: entryOf(defaultTtlMs, fresh, input, 1),
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
    const leaseLeft = row.lease_expires_at === null ? 0 : Date.parse(row.lease_expires_at) - now;
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
      const entry = entryOf(defaultTtlMs, row, input, row.generation + 1);
      const resumedState = await intentOf(records, input.tenantId, row);
      return { kind: 'run', entry, resumedState, takenOver: true };
    }
  }
}
