// Runs the trunk setup to the end under the tenant's trunk lease: claims it (a fence higher than
// any before), runs the five steps in order (each re-entrant), records `ready` or the failed step
// with the provider's code, and gives the lease back. A request that finds the lease held joins
// the run in flight: it waits (bounded) and answers that run's result, else ERR_TRUNK_BUSY with
// Retry-After. The lease is renewed before every provider write so that more time is left on it
// than a provider call may take (`providerTimeoutMs` < lease / 2).
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { Secret, TenantId } from '../../crypto/index.js';
import { TelvaultError } from '../../errors.js';
import { ProviderError } from '../../providers/provider-error.js';
import type { TwilioClient } from '../../providers/twilio/index.js';
import type { Database } from '../../store/database.js';
import {
  claimTrunkLease,
  readTrunkLease,
  releaseTrunkLease,
  renewTrunkLease,
  type TrunkLease,
} from '../../store/trunk-lease-repo.js';
import { nowIso } from '../../store/time.js';
import type { Actor } from '../audit/actor.js';
import { RateLimitError } from '../limits/index.js';
import type { EncryptedRecords, StoredRecord } from '../records/index.js';
import {
  columnsOf,
  PASSWORD_FIELD,
  TRUNK_TABLE,
  writeStep,
  type StepWrite,
} from './trunk-record.js';
import type { TrunkSetup } from './trunk-schemas.js';
import { isRequestError, STEP_RUNNERS, type StepRun } from './trunk-steps.js';
import { stateOf, stepsOf, TRUNK_STEPS, type StepError, type TrunkStep } from './trunk-state.js';
import './errors.js';

export interface TrunkTiming {
  /** How long a lease lasts without renewal. */
  leaseMs: number;
  /** How long a request waits for a run in flight before ERR_TRUNK_BUSY. */
  waitMs: number;
  /** How often a waiting request looks at the lease. */
  pollMs: number;
}

export type TrunkTimingInput = Partial<TrunkTiming>;

export const DEFAULT_TIMING: TrunkTiming = { leaseMs: 60_000, waitMs: 30_000, pollMs: 100 };

/** The per-call timeout of provider calls made under a lease: well inside the lease. */
export const providerTimeoutFor = (t: TrunkTiming): number =>
  Math.min(15_000, Math.floor(t.leaseMs / 3));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const busy = (waitMs: number) =>
  new RateLimitError(
    'ERR_TRUNK_BUSY',
    "another run of the tenant's trunk workflow is in progress: retry later",
    Math.max(1, waitMs / 1000),
  );

export interface LeaseOutcome {
  kind: 'held' | 'joined';
  lease?: TrunkLease;
}

/** Claims the tenant's trunk lease, or waits for the run holding it (bounded). */
export async function acquireTrunkLease(
  db: Database,
  tenantId: TenantId,
  timing: TrunkTiming,
): Promise<LeaseOutcome> {
  const owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const deadline = Date.now() + timing.waitMs;
  for (;;) {
    const now = Date.now();
    const lease = await claimTrunkLease(
      db,
      tenantId,
      owner,
      new Date(now).toISOString(),
      new Date(now + timing.leaseMs).toISOString(),
    );
    if (lease !== undefined) return { kind: 'held', lease };
    for (;;) {
      if (Date.now() >= deadline) throw busy(timing.waitMs);
      await sleep(timing.pollMs);
      const row = await readTrunkLease(db, tenantId);
      if (row === undefined) throw new TelvaultError('ERR_TRUNK_NOT_FOUND', 'trunk not found');
      // Free again: the run we found in flight has ended; its result is the row's.
      if (row.lease_owner === null) return { kind: 'joined' };
      // Expired (its holder died): take it over and resume.
      if (row.lease_expires_at !== null && row.lease_expires_at < new Date().toISOString()) break;
    }
  }
}

export interface WorkflowDeps {
  db: Database;
  records: EncryptedRecords;
  timing: TrunkTiming;
}

export interface RunResult {
  record: StoredRecord;
  notes: string[];
}

const stepError = (err: unknown): StepError =>
  err instanceof ProviderError
    ? { code: err.code, providerCode: err.providerCode ?? null, status: err.status ?? null }
    : err instanceof TelvaultError
      ? { code: err.code, providerCode: null, status: null }
      : { code: 'ERR_INTERNAL', providerCode: null, status: null };

const leaseLost = (err: unknown) =>
  err instanceof TelvaultError && err.code === 'ERR_RECORD_CONDITION_FAILED';

/** Runs the setup steps under a held lease; the record as left, `ready` or `failed`. */
export async function runTrunkSetup(
  deps: WorkflowDeps,
  tenantId: TenantId,
  lease: TrunkLease,
  client: TwilioClient,
  input: TrunkSetup,
  originationUri: string,
  actor: Actor,
): Promise<RunResult> {
  const { db, records, timing } = deps;
  const first = await records.find(TRUNK_TABLE, tenantId, {});
  if (first === undefined) throw new TelvaultError('ERR_TRUNK_NOT_FOUND', 'trunk not found');
  let current: StoredRecord = first;
  const notes: string[] = [];
  const record = async (w: StepWrite) => {
    current = await writeStep(records, tenantId, lease, actor, w);
  };
  const run: StepRun = {
    tenantId,
    client,
    input,
    originationUri,
    current: () => current,
    columns: () => columnsOf(current),
    record,
    async password(): Promise<Secret<string>> {
      const p = await records.open(TRUNK_TABLE, tenantId, current, PASSWORD_FIELD);
      if (p === undefined) throw new TelvaultError('ERR_INTERNAL', 'trunks: no sealed password');
      return p;
    },
    async beforeWrite() {
      const until = new Date(Date.now() + timing.leaseMs).toISOString();
      if (!(await renewTrunkLease(db, tenantId, lease, until))) throw busy(timing.waitMs);
    },
    note: (text) => notes.push(text),
  };
  let step: TrunkStep | undefined;
  try {
    if (stateOf(current) === 'failed' || columnsOf(current).failed_step !== null) {
      await record({
        columns: { state: 'provisioning', failed_step: null, error_json: null },
        action: 'trunk.setup.resume',
      });
    }
    for (step of TRUNK_STEPS) await STEP_RUNNERS[step](run);
    if (stateOf(current) !== 'ready') {
      await record({ columns: { state: 'ready' }, action: 'trunk.setup.ready' });
    }
    return { record: current, notes };
  } catch (err) {
    if (leaseLost(err)) throw busy(timing.waitMs);
    if (err instanceof RateLimitError || isRequestError(err)) throw err;
    const e = stepError(err);
    const failedStep = step ?? 'trunk';
    const steps = stepsOf(current);
    const prev = steps[failedStep];
    try {
      await record({
        columns: {
          state: 'failed',
          failed_step: failedStep,
          error_json: JSON.stringify(e),
          steps_json: JSON.stringify({
            ...steps,
            [failedStep]: { ...prev, status: 'failed', at: nowIso(), error: e },
          }),
        },
        action: 'trunk.setup.failed',
        detail: { step: failedStep, code: e.code, providerCode: e.providerCode },
      });
    } catch (recordErr) {
      if (!leaseLost(recordErr)) throw recordErr;
    }
    throw err;
  } finally {
    await releaseTrunkLease(db, tenantId, lease);
  }
}

/**
 * Runs `work` holding the tenant's trunk lease (a job: repair, rotation, offboarding), so it never
 * interleaves with a setup or another job. `renew` extends the lease; call it before each
 * provider write. The lease is given back however `work` ends.
 */
export async function withTrunkLease<T>(
  db: Database,
  tenantId: TenantId,
  timing: TrunkTiming,
  work: (lease: TrunkLease, renew: () => Promise<void>) => Promise<T>,
): Promise<T> {
  for (;;) {
    const got = await acquireTrunkLease(db, tenantId, timing);
    if (got.lease === undefined) continue; // a run ended meanwhile: take the lease now
    const lease = got.lease;
    const renew = async () => {
      const until = new Date(Date.now() + timing.leaseMs).toISOString();
      if (!(await renewTrunkLease(db, tenantId, lease, until))) throw busy(timing.waitMs);
    };
    try {
      return await work(lease, renew);
    } finally {
      await releaseTrunkLease(db, tenantId, lease);
    }
  }
}
