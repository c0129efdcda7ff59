// Many record writes committed in one transaction (an import's chunk). Inside `batch.run(fn)` the
// encrypted-record path reads, plans and seals each write as usual but holds its transaction step
// instead of running it; `commit` then runs every held step, and whatever the caller adds, in one
// transaction. Each held step re-reads its row under the transaction and refuses (StaleRead) when it
// is not the row its write was planned from, so a batch that raced anything, or wrote one row twice,
// fails whole and writes nothing: the caller then writes one record at a time. Reads inside a run
// do not see the batch's held writes. Sealing stays outside the transaction (on SQLite a
// transaction holds the only connection), which is why the steps are held rather than run.
import { AsyncLocalStorage } from 'node:async_hooks';
import { TelvaultError } from '../../errors.js';
import type { Database, DatabaseTransaction } from '../../store/database.js';

/** The transaction step of one planned write. */
export type HeldStep = (trx: DatabaseTransaction) => Promise<void>;

const held = new AsyncLocalStorage<HeldStep[]>();

/** The steps list of the batch run this call is inside, if any. */
export function heldSteps(): HeldStep[] | undefined {
  return held.getStore();
}

export interface RecordBatch {
  /** Runs `fn` with its record writes held; when `fn` throws, the writes it made are dropped. */
  run<T>(fn: () => Promise<T>): Promise<T>;
  /** The number of writes held so far. */
  readonly size: number;
  /**
   * Runs every held write, then `also`, in one transaction: all of them or none. A write whose row
   * changed since it was planned throws (nothing is written); a batch commits once.
   */
  commit(also?: (trx: DatabaseTransaction) => Promise<void>): Promise<void>;
}

export function createRecordBatch(db: Database): RecordBatch {
  const steps: HeldStep[] = [];
  let committed = false;
  return {
    async run<T>(fn: () => Promise<T>): Promise<T> {
      if (committed) throw new TelvaultError('ERR_INTERNAL', 'records: the batch was committed');
      if (heldSteps() !== undefined)
        throw new TelvaultError('ERR_INTERNAL', 'records: a batch run inside another');
      const mine: HeldStep[] = [];
      const result = await held.run(mine, fn);
      steps.push(...mine);
      return result;
    },
    get size() {
      return steps.length;
    },
    async commit(also) {
      if (committed) throw new TelvaultError('ERR_INTERNAL', 'records: the batch was committed');
      committed = true;
      if (steps.length === 0 && also === undefined) return;
      await db.transaction().execute(async (trx) => {
        for (const step of steps) await step(trx);
        if (also !== undefined) await also(trx);
      });
    },
  };
}
