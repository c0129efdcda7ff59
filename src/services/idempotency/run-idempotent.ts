// An idempotent request in a few lines, for any surface (no Fastify in here): begin, replay or run
// the work under a renewed lease, store its outcome, or give the entry up when it failed.
import type { IdempotencyService } from './idempotency-service.js';
import {
  isStorableStatus,
  type BeginInput,
  type IdempotencyEntry,
  type IdempotentOutcome,
} from './idempotency-types.js';

/** What the work gets: its entry, the state to resume from, and the holder's two writes. */
export interface IdempotentRun {
  readonly entry: IdempotencyEntry;
  /** The intent state a previous holder saved (resumable entries), else undefined. */
  readonly resumedState: unknown;
  saveState(state: unknown, options?: { sealed?: boolean }): Promise<void>;
  /** Call just before the provider call; do not make the call if it throws. */
  markSent(recordId?: string): Promise<void>;
}

export interface IdempotentAnswer {
  status: number;
  body: unknown;
  /** True when this is the stored answer of an earlier request. */
  replayed: boolean;
}

export interface RunIdempotentOptions {
  /**
   * The outcome to store for an error the work threw (its 4xx answer as the surface renders it),
   * or undefined to store nothing; the error is thrown on either way.
   */
  outcomeOfError?: (err: unknown) => IdempotentOutcome | undefined;
}

export async function runIdempotent(
  idem: IdempotencyService,
  input: BeginInput,
  work: (run: IdempotentRun) => Promise<IdempotentOutcome>,
  options: RunIdempotentOptions = {},
): Promise<IdempotentAnswer> {
  const begun = await idem.begin(input);
  if (begun.kind === 'replay') return { status: begun.status, body: begun.body, replayed: true };
  const { entry } = begun;
  const run: IdempotentRun = {
    entry,
    resumedState: begun.resumedState,
    saveState: (state, o) => idem.saveState(entry, state, o),
    markSent: (recordId) => idem.markSent(entry, recordId),
  };
  const stop = idem.keepAlive(entry);
  let outcome: IdempotentOutcome;
  try {
    outcome = await work(run);
  } catch (err) {
    stop();
    // The caller gets this error either way. Not stored: the entry is given up (its lease would
    // end anyway, so a failure to give it up only delays a retry).
    const stored = options.outcomeOfError?.(err);
    const kept =
      stored !== undefined && isStorableStatus(stored.status)
        ? await idem.complete(entry, stored).then(
            () => true,
            () => false,
          )
        : false;
    if (!kept) await idem.release(entry).catch(() => undefined);
    throw err;
  }
  stop();
  if (!isStorableStatus(outcome.status)) {
    await idem.release(entry).catch(() => undefined);
  } else {
    await idem.complete(entry, outcome);
  }
  return { status: outcome.status, body: outcome.body, replayed: false };
}
