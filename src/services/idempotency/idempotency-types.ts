// The types of the idempotency service: its options, a request to begin, the entry a holder
// holds, what begin answers, and an outcome to store.
import type { TenantId } from '../../crypto/index.js';
import type { IdempotencyMode } from '../../store/schema.js';
import type { Actor } from '../audit/actor.js';
import type { KeyService } from '../keys/key-service.js';
import type { EncryptedRecords } from '../records/index.js';
import type { Database } from '../../store/database.js';

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
  /** 2xx or 4xx (or 502, a provider's definite refusal): stored and replayed. */
  status: number;
  body: unknown;
  /** The resource created (a phone's id): a `ttlMs: null` entry lives as long as it does. */
  resourceId?: string | undefined;
}

/**
 * What an outcome may be stored as: a 2xx or 4xx answer, or 502, a provider's definite refusal of
 * a request it answered and did not act on (a retry with the key would only be refused again).
 * Other 5xx are never stored: the key is given up, or stays sent with an unknown outcome.
 */
export const isStorableStatus = (s: number): boolean =>
  Number.isInteger(s) && ((s >= 200 && s <= 299) || (s >= 400 && s <= 499) || s === 502);
