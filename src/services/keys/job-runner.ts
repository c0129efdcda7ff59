// Runs one job under a lease: only the lease holder works on it, progress and cursor are saved
// with every batch (which also renews the lease), and an interrupted or crashed run leaves the job
// resumable from its last saved cursor. A crashed holder's lease expires after `leaseMs`; a run
// with the same owner id takes its own lease back at once.
import { hostname } from 'node:os';
import { TelvaultError } from '../../errors.js';
import type { Database } from '../../store/database.js';
import {
  claimJob,
  findJob,
  finishJob,
  releaseJob,
  saveJobProgress,
  type JobRow,
} from '../../store/job-repo.js';
import { nowIso } from '../../store/time.js';

export interface JobProgress {
  cursor: string | null;
  done: number;
  total: number;
}

export interface JobContext {
  job: JobRow;
  signal: AbortSignal | undefined;
  /** Saves progress and renews the lease; throws when the lease was lost or the run aborted. */
  save(progress: JobProgress): Promise<void>;
  /** Throws when the run was asked to stop (checked between batches). */
  checkpoint(): void;
}

export interface RunJobOptions {
  owner?: string;
  leaseMs?: number;
  signal?: AbortSignal | undefined;
  onProgress?: ((p: JobProgress) => void) | undefined;
}

export type JobOutcome = 'done' | 'interrupted';

export function defaultJobOwner(): string {
  return `${hostname()}:${process.pid}`;
}

/** Thrown inside a run to unwind it when its signal fired; never escapes runLeasedJob. */
class JobInterrupted extends Error {
  constructor() {
    super('job interrupted; run it again to resume');
  }
}

function interrupted(): JobInterrupted {
  return new JobInterrupted();
}

/** Runs `work` for job `jobId` under a lease; 'interrupted' when the signal stopped it. */
export async function runLeasedJob(
  db: Database,
  jobId: string,
  options: RunJobOptions,
  work: (ctx: JobContext) => Promise<void>,
): Promise<JobOutcome> {
  const owner = options.owner ?? defaultJobOwner();
  const leaseMs = options.leaseMs ?? 30_000;
  const until = () => new Date(Date.now() + leaseMs).toISOString();
  if (!(await claimJob(db, jobId, owner, nowIso(), until()))) {
    const job = await findJob(db, jobId);
    if (job !== undefined && (job.state === 'done' || job.state === 'failed')) return 'done';
    throw new TelvaultError(
      'ERR_KEYS_ROTATION_RUNNING',
      `job ${jobId} is being run by ${job?.lease_owner ?? 'another process'} (lease until ${job?.lease_expires_at ?? '?'})`,
    );
  }
  const job = await findJob(db, jobId);
  if (job === undefined) throw new TelvaultError('ERR_NOT_FOUND', `job ${jobId} not found`);
  const checkpoint = () => {
    if (options.signal?.aborted === true) throw interrupted();
  };
  const ctx: JobContext = {
    job,
    signal: options.signal,
    checkpoint,
    async save(p) {
      const ok = await saveJobProgress(db, jobId, owner, {
        ...p,
        now: nowIso(),
        leaseUntil: until(),
      });
      if (!ok)
        throw new TelvaultError('ERR_KEYS_ROTATION_RUNNING', `lost the lease of job ${jobId}`);
      options.onProgress?.(p);
      checkpoint();
    },
  };
  try {
    await work(ctx);
  } catch (err) {
    await releaseJob(db, jobId, owner, nowIso());
    if (err instanceof JobInterrupted) return 'interrupted';
    throw err;
  }
  await finishJob(db, jobId, owner, { state: 'done', error: null, now: nowIso() });
  return 'done';
}
