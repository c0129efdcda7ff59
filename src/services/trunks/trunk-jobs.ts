// Tenant jobs of the trunk (repair, password rotation): a `jobs` row for state, progress and the
// lease (store/job-repo.ts), and a `job_records` row holding the sealed parameters and result
// (they name phone numbers). A job runs in the process that started it; `wait` lets a request
// await it (bounded); a job whose process died is resumed by the next request that asks for one
// of its kind, once its lease has expired.
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { Secret, type TenantId } from '../../crypto/index.js';
import { TelvaultError } from '../../errors.js';
import type { Database } from '../../store/database.js';
import {
  claimJob,
  findActiveJob,
  findJob,
  finishJob,
  insertJob,
  saveJobProgress,
  type JobRow,
} from '../../store/job-repo.js';
import { newId, nowIso } from '../../store/time.js';
import type { Actor } from '../audit/actor.js';
import type { EncryptedRecords } from '../records/index.js';

export type TrunkJobKind = 'trunk.repair' | 'trunk.rotate-password';

export interface JobView {
  id: string;
  kind: string;
  state: 'pending' | 'running' | 'done' | 'failed';
  progress: { done: number; total: number };
  result: unknown;
  error: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface TrunkJobContext {
  jobId: string;
  params: unknown;
  /** Records progress and renews the job's lease; throws once the lease was lost. */
  progress(done: number, total: number): Promise<void>;
}

const JOB_TABLE = 'job_records' as const;
const LEASE_MS = 60_000;

const lost = (id: string) =>
  new TelvaultError('ERR_TRUNK_BUSY', `job ${id} is being run by another process`);

export function createTrunkJobs(deps: { db: Database; records: EncryptedRecords }) {
  const { db, records } = deps;
  const running = new Map<string, Promise<void>>();

  async function sealed(tenantId: TenantId, jobId: string, field: 'params' | 'result') {
    const r = await records.find(JOB_TABLE, tenantId, { job_id: jobId });
    if (r === undefined) return undefined;
    const v = await records.open(JOB_TABLE, tenantId, r, field);
    return v === undefined ? undefined : (JSON.parse(v.reveal()) as unknown);
  }

  async function view(tenantId: TenantId, row: JobRow): Promise<JobView> {
    return {
      id: row.id,
      kind: row.kind,
      state: row.state,
      progress: { done: Number(row.progress_done), total: Number(row.progress_total) },
      result: row.state === 'done' ? ((await sealed(tenantId, row.id, 'result')) ?? null) : null,
      error: row.error,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    };
  }

  /** Runs a claimed job to its end in this process; the result sealed, the job done or failed. */
  function start(
    tenantId: TenantId,
    jobId: string,
    owner: string,
    actor: Actor,
    work: (ctx: TrunkJobContext) => Promise<unknown>,
  ): Promise<void> {
    const until = () => new Date(Date.now() + LEASE_MS).toISOString();
    const done = (async () => {
      const params = await sealed(tenantId, jobId, 'params');
      const ctx: TrunkJobContext = {
        jobId,
        params,
        async progress(d, total) {
          const ok = await saveJobProgress(db, jobId, owner, {
            cursor: null,
            done: d,
            total,
            now: nowIso(),
            leaseUntil: until(),
          });
          if (!ok) throw lost(jobId);
        },
      };
      try {
        const result = await work(ctx);
        await records.write({
          table: JOB_TABLE,
          tenantId,
          key: { job_id: jobId },
          plan: (existing) => ({
            seal: { result: new Secret(JSON.stringify(result)) },
            keep: existing === undefined ? [] : ['params'],
            columns: { job_id: jobId },
            audit: { actor, action: 'job.result', target: `job:${jobId}` },
          }),
        });
        await finishJob(db, jobId, owner, { state: 'done', error: null, now: nowIso() });
      } catch (err) {
        const message =
          err instanceof TelvaultError ? `${err.code}: ${err.message}` : 'ERR_INTERNAL: job failed';
        await finishJob(db, jobId, owner, { state: 'failed', error: message, now: nowIso() });
      } finally {
        running.delete(jobId);
      }
    })();
    running.set(jobId, done);
    return done;
  }

  return {
    /**
     * Starts a job of `kind` for the tenant, or joins the one already unfinished (resumed here
     * when its process is gone). The job's id; `work` runs in the background.
     */
    async begin(
      tenantId: TenantId,
      kind: TrunkJobKind,
      params: unknown,
      actor: Actor,
      work: (ctx: TrunkJobContext) => Promise<unknown>,
    ): Promise<{ jobId: string; joined: boolean }> {
      const owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
      const active = await findActiveJob(db, kind, tenantId);
      if (active !== undefined) {
        if (running.has(active.id)) return { jobId: active.id, joined: true };
        if (
          await claimJob(
            db,
            active.id,
            owner,
            nowIso(),
            new Date(Date.now() + LEASE_MS).toISOString(),
          )
        ) {
          void start(tenantId, active.id, owner, actor, work);
        }
        return { jobId: active.id, joined: true };
      }
      const jobId = newId();
      await records.write({
        table: JOB_TABLE,
        tenantId,
        key: { job_id: jobId },
        plan: () => ({
          seal: { params: new Secret(JSON.stringify(params ?? null)) },
          keep: [],
          columns: { job_id: jobId },
          audit: { actor, action: `${kind}.start`, target: `job:${jobId}` },
        }),
      });
      await insertJob(db, { id: jobId, kind, tenantId, params: null, total: 0, at: nowIso() });
      if (
        !(await claimJob(db, jobId, owner, nowIso(), new Date(Date.now() + LEASE_MS).toISOString()))
      )
        throw lost(jobId);
      void start(tenantId, jobId, owner, actor, work);
      return { jobId, joined: false };
    },

    /** Waits up to `ms` for a job running in this process to end. */
    async wait(jobId: string, ms: number): Promise<void> {
      const p = running.get(jobId);
      if (p === undefined) return;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([p, new Promise((r) => (timer = setTimeout(r, ms)))]);
      clearTimeout(timer);
    },

    async get(tenantId: TenantId, jobId: string): Promise<JobView> {
      const row = await findJob(db, jobId);
      if (row === undefined || row.tenant_id !== tenantId) {
        throw new TelvaultError('ERR_NOT_FOUND', 'job not found');
      }
      return view(tenantId, row);
    },

    /** Waits for every job this process runs (tests, shutdown). */
    async drain(): Promise<void> {
      await Promise.all([...running.values()]);
    },
  };
}

export type TrunkJobs = ReturnType<typeof createTrunkJobs>;
