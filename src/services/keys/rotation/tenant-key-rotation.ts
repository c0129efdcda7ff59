// Tenant data-key rotation, online: a new data-key version is promoted to primary (with the job
// that follows it, in one transaction); once every node writes with it (the stamp-check interval
// has passed) the job re-encrypts every encrypted field of the tenant in batches, saving its
// cursor, then retires the old versions only when a final count under lock finds no row on them.
// Rows written meanwhile by other nodes are never lost (see reencrypt-batch.ts); a retirement
// that finds rows again (a straggler) starts another pass.
import { setTimeout as sleep } from 'node:timers/promises';
import { asTenantId, type TenantId } from '../../../crypto/index.js';
import { TelvaultError } from '../../../errors.js';
import type { Database } from '../../../store/database.js';
import { countTenantRows, scanEncryptedRows } from '../../../store/encrypted-row-repo.js';
import { ENCRYPTED_TABLE_LIST } from '../../../store/encrypted-fields.js';
import {
  runLeasedJob,
  type JobContext,
  type JobOutcome,
  type RunJobOptions,
} from '../job-runner.js';
import type { KeyService } from '../key-service.js';
import {
  retireKeyVersion,
  startKeyRotationJob,
  type RotationParams as Params,
  type StartedRotation,
} from './key-versions.js';

export type { StartedRotation } from './key-versions.js';
import { reencryptRows, type RotationHooks } from './reencrypt-batch.js';

export const TENANT_DATA_KEY_JOB = 'rotate-tenant-data-key';

export interface RotationDeps {
  db: Database;
  keys: KeyService;
}

export interface RunRotationOptions extends RunJobOptions {
  batchSize?: number;
  hooks?: RotationHooks;
  /** Passes over the tenant before giving up on retirement (default 10). */
  maxPasses?: number;
}

interface Cursor {
  pass: number;
  table: number;
  after: string | null;
}

async function countAll(db: Database, tenantId: TenantId): Promise<number> {
  let n = 0;
  for (const s of ENCRYPTED_TABLE_LIST) n += await countTenantRows(db, s, tenantId);
  return n;
}

/** Promotes a new data key and records the job, or returns the unfinished job to resume. */
export async function startTenantKeyRotation(
  deps: RotationDeps,
  tenantId: TenantId,
): Promise<StartedRotation> {
  const total = await countAll(deps.db, tenantId);
  const started = await startKeyRotationJob(deps.db, deps.keys.masterKeys, tenantId, {
    kind: 'data',
    jobKind: TENANT_DATA_KEY_JOB,
    total,
  });
  deps.keys.forgetTenant(tenantId);
  return started;
}

async function waitForNodes(ctx: JobContext, keys: KeyService, promotedAtMs: number) {
  // Every node re-reads the keyring stamp at least every propagationDelayMs; after that, no node
  // seals with the old key any more (a straggler is caught by the final count anyway).
  const wait = promotedAtMs + keys.propagationDelayMs + 100 - Date.now();
  if (wait > 0)
    await sleep(wait, undefined, ctx.signal ? { signal: ctx.signal } : {}).catch(() => {});
  ctx.checkpoint();
}

async function runPasses(deps: RotationDeps, ctx: JobContext, options: RunRotationOptions) {
  const { db, keys } = deps;
  const tenantId = asTenantId(ctx.job.tenant_id ?? '');
  const params = JSON.parse(ctx.job.params_json ?? '{}') as Params;
  await waitForNodes(ctx, keys, params.promotedAtMs);
  const ks = await keys.tenantKeyset(tenantId, true);
  const target = ks.keyring.primary();
  if (target.version !== params.toVersion) {
    throw new TelvaultError('ERR_KEYS_ROTATION_RUNNING', 'the primary key changed under the job');
  }
  const batchSize = options.batchSize ?? 500;
  let cursor: Cursor =
    ctx.job.cursor === null
      ? { pass: 0, table: 0, after: null }
      : (JSON.parse(ctx.job.cursor) as Cursor);
  let done = ctx.job.progress_done;
  let total = ctx.job.progress_total;
  for (;;) {
    while (cursor.table < ENCRYPTED_TABLE_LIST.length) {
      const spec = ENCRYPTED_TABLE_LIST[cursor.table];
      if (spec === undefined) break;
      const rows = await scanEncryptedRows(db, spec, tenantId, cursor.after, batchSize);
      if (rows.length > 0) {
        await reencryptRows(
          { db, tenantId, spec, keyring: ks.keyring, target, hooks: options.hooks },
          rows,
        );
        done += rows.length;
      }
      const last = rows[rows.length - 1];
      cursor =
        last === undefined || rows.length < batchSize
          ? { ...cursor, table: cursor.table + 1, after: null }
          : { ...cursor, after: last.id };
      total = Math.max(total, done);
      await ctx.save({ cursor: JSON.stringify(cursor), done, total });
    }
    try {
      for (const v of params.fromVersions) await retireKeyVersion(db, tenantId, 'data', v);
      keys.forgetTenant(tenantId);
      return;
    } catch (err) {
      if (!(err instanceof TelvaultError && err.code === 'ERR_KEYS_IN_USE')) throw err;
      if (cursor.pass + 1 >= (options.maxPasses ?? 10)) throw err;
      // A straggler wrote with an old key after our pass: go over the tenant again.
      cursor = { pass: cursor.pass + 1, table: 0, after: null };
      total += await countAll(db, tenantId);
      await ctx.save({ cursor: JSON.stringify(cursor), done, total });
    }
  }
}

/** Runs (or resumes) a data-key rotation job to completion, or until interrupted. */
export async function runTenantKeyRotation(
  deps: RotationDeps,
  jobId: string,
  options: RunRotationOptions = {},
): Promise<JobOutcome> {
  return runLeasedJob(deps.db, jobId, options, (ctx) => runPasses(deps, ctx, options));
}

/** Starts (or resumes) a tenant's data-key rotation and runs it. */
export async function rotateTenantKey(
  deps: RotationDeps,
  tenantId: TenantId,
  options: RunRotationOptions = {},
): Promise<StartedRotation & { outcome: JobOutcome }> {
  const started = await startTenantKeyRotation(deps, tenantId);
  const outcome = await runTenantKeyRotation(deps, started.jobId, options);
  return { ...started, outcome };
}
