// Tenant key rotations started over HTTP (`POST /v1/tenants/:tenantId/keys/rotate`): the same
// online, leased, resumable jobs `telvault keys rotate-tenant [--index]` runs, run in the
// background of the serving process. Safe there because the job is built for it: it runs while
// nodes serve (a promoted key reaches every node within the keyring stamp interval; rows written
// meanwhile are caught by the final count), only the lease holder works on it (a CLI run or
// another node's gets ERR_KEYS_ROTATION_RUNNING), progress is saved per batch, and a run stopped
// (shutdown, crash) leaves the job resumable by the next request or the CLI once its lease ends.
// One run per job in this process; a second request joins it.
import { randomUUID } from 'node:crypto';
import type { TenantId } from '../../crypto/index.js';
import { TelvaultError } from '../../errors.js';
import type { Database } from '../../store/database.js';
import { findActiveJob, findJob } from '../../store/job-repo.js';
import type { Actor } from '../audit/actor.js';
import type { AuditService } from '../audit/audit-service.js';
import type { Logger } from '../common/index.js';
import { defaultJobOwner, type JobOutcome } from './job-runner.js';
import type { KeyService } from './key-service.js';
import {
  runIndexKeyRotation,
  runTenantKeyRotation,
  startIndexKeyRotation,
  startTenantKeyRotation,
  TENANT_DATA_KEY_JOB,
  TENANT_INDEX_KEY_JOB,
} from './rotation/index.js';
import type { RotationView, TenantKeysView } from './tenant-key-schemas.js';
import { readTenantKeyStatus, rotationViewOf } from './tenant-key-status.js';

export type RotationKind = 'data' | 'index';

export interface TenantKeyRotationsDeps {
  db: Database;
  keys: KeyService;
  audit: Pick<AuditService, 'record'>;
  logger: Logger;
  /** A run's lease without renewal (default the job runner's, 30 s). */
  leaseMs?: number;
}

const JOB_KIND: Readonly<Record<RotationKind, string>> = {
  data: TENANT_DATA_KEY_JOB,
  index: TENANT_INDEX_KEY_JOB,
};
/** The audit actions, the same as `telvault keys rotate-tenant [--index]` records. */
const ACTION: Readonly<Record<RotationKind, string>> = {
  data: 'keys.rotate-tenant',
  index: 'keys.rotate-tenant-index',
};

export function createTenantKeyRotations(deps: TenantKeyRotationsDeps) {
  const { db, keys, logger } = deps;
  const rotationDeps = { db, keys };
  const running = new Map<string, { abort: AbortController; done: Promise<void> }>();

  function runInBackground(
    tenantId: TenantId,
    kind: RotationKind,
    started: { jobId: string; toVersion: number; resumed: boolean },
    actor: Actor,
    /** The start's audit event: the run begins once it is written (never unaudited). */
    recorded: Promise<unknown>,
  ): void {
    const abort = new AbortController();
    const options = {
      signal: abort.signal,
      // Each run its own owner: a second run in this process can never share the lease.
      owner: `${defaultJobOwner()}:${randomUUID().slice(0, 8)}`,
      ...(deps.leaseMs === undefined ? {} : { leaseMs: deps.leaseMs }),
    };
    const record = (outcome: JobOutcome | 'failed', code?: string) =>
      deps.audit.record({
        tenantId,
        actor,
        action: ACTION[kind],
        target: tenantId,
        ...(outcome === 'failed' ? { outcome: 'failure' as const } : {}),
        detail: {
          jobId: started.jobId,
          toVersion: started.toVersion,
          resumed: started.resumed,
          outcome,
          ...(code === undefined ? {} : { code }),
        },
      });
    const done = (async () => {
      // Not written: the request answers the error, the job stays resumable, nothing runs.
      if (!(await recorded.then(() => true).catch(() => false))) return;
      try {
        const outcome =
          kind === 'data'
            ? await runTenantKeyRotation(rotationDeps, started.jobId, options)
            : await runIndexKeyRotation(rotationDeps, started.jobId, options);
        await record(outcome);
      } catch (err) {
        const code = err instanceof TelvaultError ? err.code : 'ERR_INTERNAL';
        // Another process holds the job: it is running there, nothing failed.
        if (code === 'ERR_KEYS_ROTATION_RUNNING') return;
        logger.warn(
          { tenantId, jobId: started.jobId, kind, code },
          'key rotation stopped; the job is resumable (POST …/keys/rotate or `telvault keys rotate-tenant`)',
        );
        await record('failed', code);
      }
    })()
      .catch((err: unknown) => {
        const code = err instanceof TelvaultError ? err.code : 'ERR_INTERNAL';
        logger.warn({ tenantId, jobId: started.jobId, code }, 'key rotation: audit event lost');
      })
      .finally(() => running.delete(started.jobId));
    running.set(started.jobId, { abort, done });
  }

  return {
    /** The tenant's key versions, rows per version and unfinished rotation. */
    status(tenantId: TenantId): Promise<TenantKeysView> {
      return readTenantKeyStatus(db, keys.masterKeys, tenantId);
    },

    /**
     * Starts a rotation of the tenant's `kind` key in the background, or joins the unfinished one
     * (resumed here when no process holds it). A rotation of the other kind unfinished is
     * ERR_KEYS_ROTATION_RUNNING: one rotation at a time through the API.
     */
    async rotate(tenantId: TenantId, kind: RotationKind, actor: Actor): Promise<RotationView> {
      const other: RotationKind = kind === 'data' ? 'index' : 'data';
      const [same, otherJob] = await Promise.all([
        findActiveJob(db, JOB_KIND[kind], tenantId),
        findActiveJob(db, JOB_KIND[other], tenantId),
      ]);
      if (same === undefined && otherJob !== undefined) {
        throw new TelvaultError(
          'ERR_KEYS_ROTATION_RUNNING',
          `kind: ${other === 'data' ? 'a data' : 'an index'} key rotation of this tenant is unfinished (job ${otherJob.id}); let it finish first`,
        );
      }
      const started =
        kind === 'data'
          ? await startTenantKeyRotation(rotationDeps, tenantId)
          : await startIndexKeyRotation(rotationDeps, tenantId);
      // Checked and set with no await between: two requests here never run one job twice.
      if (!running.has(started.jobId)) {
        const recorded = deps.audit.record({
          tenantId,
          actor,
          action: `${ACTION[kind]}.start`,
          target: tenantId,
          detail: { jobId: started.jobId, toVersion: started.toVersion, resumed: started.resumed },
        });
        runInBackground(tenantId, kind, started, actor, recorded);
        await recorded;
      }
      const job = await findJob(db, started.jobId);
      const view = job === undefined ? undefined : rotationViewOf(job);
      if (view === undefined) throw new TelvaultError('ERR_NOT_FOUND', 'rotation job not found');
      return view;
    },

    /** A rotation job of the tenant's as it is now; undefined when it is not one of its own. */
    async rotation(tenantId: TenantId, jobId: string): Promise<RotationView | undefined> {
      const job = await findJob(db, jobId);
      return job === undefined || job.tenant_id !== tenantId ? undefined : rotationViewOf(job);
    },

    /** Waits for this process's runs (tests). */
    async drain(): Promise<void> {
      await Promise.all([...running.values()].map((r) => r.done));
    },

    /** Stops this process's runs between batches (their jobs stay resumable) and waits for them. */
    async stop(): Promise<void> {
      for (const r of running.values()) r.abort.abort();
      await Promise.all([...running.values()].map((r) => r.done));
    },
  };
}

export type TenantKeyRotations = ReturnType<typeof createTenantKeyRotations>;
