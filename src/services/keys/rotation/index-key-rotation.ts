// Blind-index key rotation, its own job: a new index-key version is promoted; meanwhile lookups
// check both versions (KeyService.blindIndexCandidates); once every node writes with the new key,
// the job recomputes every blind index of the tenant from the indexed field (opened with the data
// keyring; it holds the normalized value) with compare-and-set, then retires the old index key
// after a real count finds no row on it. Data envelopes are not touched. A resumed run starts
// over; rows already on the new key are skipped without a write.
import { setTimeout as sleep } from 'node:timers/promises';
import {
  computeBlindIndex,
  openFieldText,
  type BlindIndexKey,
  asTenantId,
  type TenantId,
} from '../../../crypto/index.js';
import { TelvaultError } from '../../../errors.js';
import type { Database } from '../../../store/database.js';
import {
  compareAndSetBlindIndex,
  scanBlindIndexedRows,
  type BlindIndexedRow,
} from '../../../store/encrypted-row-repo.js';
import { ENCRYPTED_TABLE_LIST, type EncryptedTableSpec } from '../../../store/encrypted-fields.js';
import { shiftKeyUsage } from '../../../store/key-usage-repo.js';
import {
  runLeasedJob,
  type JobContext,
  type JobOutcome,
  type RunJobOptions,
} from '../job-runner.js';
import type { TenantKeyset } from '../key-loader.js';
import {
  retireKeyVersion,
  startKeyRotationJob,
  type RotationParams as Params,
} from './key-versions.js';
import type { StartedRotation } from './key-versions.js';
import type { RotationDeps } from './tenant-key-rotation.js';

export const TENANT_INDEX_KEY_JOB = 'rotate-tenant-index-key';

const INDEXED = ENCRYPTED_TABLE_LIST.filter((s) => s.blindIndex !== null);
/** "bi1.k<index key version>.n<normalizer version>.<mac>" (crypto/blind-index.ts). */
const BIDX = /^bi1\.k(\d+)\.n(\d+)\./;

export async function startIndexKeyRotation(
  deps: RotationDeps,
  tenantId: TenantId,
): Promise<StartedRotation> {
  const started = await startKeyRotationJob(deps.db, deps.keys.masterKeys, tenantId, {
    kind: 'index',
    jobKind: TENANT_INDEX_KEY_JOB,
    total: 0,
  });
  deps.keys.forgetTenant(tenantId);
  return started;
}

/** The new index of a row, or null when it is already on the target key. */
function reindex(
  ks: TenantKeyset,
  spec: EncryptedTableSpec,
  target: BlindIndexKey,
  row: BlindIndexedRow,
): { value: string; from: number } | null {
  const m = BIDX.exec(row.bidx);
  if (m === null)
    throw new TelvaultError('ERR_KEYS_ROTATION_CONFLICT', `${spec.table} ${row.id}: bad index`);
  const from = Number(m[1]);
  if (from === target.version) return null;
  const field = spec.blindIndex?.field ?? '';
  const ctx = { tenantId: ks.tenantId, entity: spec.entity, field, recordId: row.id };
  const normalized = openFieldText(ks.keyring, row.envelope, ctx);
  return { value: computeBlindIndex(target, normalized, Number(m[2])), from };
}

async function reindexBatch(
  db: Database,
  ks: TenantKeyset,
  spec: EncryptedTableSpec,
  target: BlindIndexKey,
  rows: readonly BlindIndexedRow[],
): Promise<void> {
  const planned = rows.flatMap((row) => {
    const next = reindex(ks, spec, target, row);
    return next === null ? [] : [{ row, next }];
  });
  if (planned.length === 0) return;
  // A lost compare-and-set means a service rewrote the row meanwhile, with a current index; the
  // final count under the retirement lock catches any still on the old key (another pass).
  await db.transaction().execute(async (trx) => {
    const moved = new Map<number, number>();
    for (const { row, next } of planned) {
      const ok = await compareAndSetBlindIndex(trx, spec, row.id, row.bidx, {
        value: next.value,
        version: target.version,
      });
      if (ok) moved.set(next.from, (moved.get(next.from) ?? 0) + 1);
    }
    for (const [from, n] of moved) {
      await shiftKeyUsage(trx, ks.tenantId, 'index', { from, to: target.version, rows: n });
    }
  });
}

async function run(deps: RotationDeps, ctx: JobContext, batchSize: number, maxPasses: number) {
  const tenantId = asTenantId(ctx.job.tenant_id ?? '');
  const params = JSON.parse(ctx.job.params_json ?? '{}') as Params;
  const wait = params.promotedAtMs + deps.keys.propagationDelayMs + 100 - Date.now();
  // Interruptible like the data-key rotation's wait (a server shutting down stops it at once).
  if (wait > 0)
    await sleep(wait, undefined, ctx.signal ? { signal: ctx.signal } : {}).catch(() => {});
  ctx.checkpoint();
  let ks = await deps.keys.tenantKeyset(tenantId, true);
  const target = ks.indexKeys[0];
  if (target?.version !== params.toVersion) {
    throw new TelvaultError(
      'ERR_KEYS_ROTATION_RUNNING',
      'the primary index key changed under the job',
    );
  }
  let done = ctx.job.progress_done;
  for (let pass = 0; ; pass++) {
    for (const spec of INDEXED) {
      let after: string | null = null;
      for (;;) {
        const rows = await scanBlindIndexedRows(deps.db, spec, tenantId, after, batchSize);
        if (rows.length === 0) break;
        try {
          await reindexBatch(deps.db, ks, spec, target, rows);
        } catch (err) {
          // A data-key rotation running alongside sealed a row with a newer data key: reload.
          if (!(err instanceof TelvaultError && err.code === 'ERR_CRYPTO_KEY_UNKNOWN')) throw err;
          ks = await deps.keys.tenantKeyset(tenantId, true);
          await reindexBatch(deps.db, ks, spec, target, rows);
        }
        done += rows.length;
        after = rows[rows.length - 1]?.id ?? null;
        await ctx.save({ cursor: null, done, total: done });
      }
    }
    try {
      for (const v of params.fromVersions) await retireKeyVersion(deps.db, tenantId, 'index', v);
      deps.keys.forgetTenant(tenantId);
      return;
    } catch (err) {
      const inUse = err instanceof TelvaultError && err.code === 'ERR_KEYS_IN_USE';
      if (!inUse || pass + 1 >= maxPasses) throw err;
    }
  }
}

export type RunIndexRotationOptions = RunJobOptions & { batchSize?: number; maxPasses?: number };

/** Runs (or resumes) a blind-index key rotation job to completion, or until interrupted. */
export async function runIndexKeyRotation(
  deps: RotationDeps,
  jobId: string,
  options: RunIndexRotationOptions = {},
): Promise<JobOutcome> {
  return runLeasedJob(deps.db, jobId, options, (ctx) =>
    run(deps, ctx, options.batchSize ?? 500, options.maxPasses ?? 10),
  );
}

/** Starts (or resumes) a tenant's blind-index key rotation and runs it. */
export async function rotateIndexKey(
  deps: RotationDeps,
  tenantId: TenantId,
  options: RunIndexRotationOptions = {},
): Promise<StartedRotation & { outcome: JobOutcome }> {
  const started = await startIndexKeyRotation(deps, tenantId);
  const outcome = await runIndexKeyRotation(deps, started.jobId, options);
  return { ...started, outcome };
}
