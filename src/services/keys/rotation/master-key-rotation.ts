// Master-key rotation: first the new master key (TELVAULT_MASTER_KEY) becomes the store's current
// one, refused unless every running node declared it (master-key-state.ts): from then on every node
// wraps new keys under it. Then every wrapped key (tenant data and index keys, the system key) not
// yet wrapped by it is unwrapped (by the id it names) and wrapped again, in batches, with
// compare-and-set. It touches only tenant_keys: the key material, and so every envelope and blind
// index, is unchanged. Resumable: a rerun continues where the saved cursor is. When a final count
// under the promotion lock finds no key under another master key, those are recorded retired and
// the previous master key is no longer needed.
import { wrapKey } from '../../../crypto/index.js';
import { TelvaultError } from '../../../errors.js';
import type { Database } from '../../../store/database.js';
import { findActiveJob, insertJob } from '../../../store/job-repo.js';
import {
  countKeysNotWrappedBy,
  listKeysNotWrappedBy,
  listWrappingMasterKeyIds,
  rewrapTenantKeys,
  type TenantKeyRow,
} from '../../../store/tenant-key-repo.js';
import { newId, nowIso } from '../../../store/time.js';
import {
  runLeasedJob,
  type JobContext,
  type JobOutcome,
  type RunJobOptions,
} from '../job-runner.js';
import { keyRowTenant, unwrapRow } from '../key-loader.js';
import {
  assertCurrentMasterKey,
  promoteMasterKey,
  retireUnneededMasterKeys,
} from '../master-key-state.js';
import { MASTER_KEY_VARIABLES, masterKeyList, type MasterKeys } from '../master-keys.js';

export const MASTER_KEY_JOB = 'rotate-master-key';

export interface MasterRotationDeps {
  db: Database;
  masterKeys: MasterKeys;
}

export interface MasterRotationResult {
  jobId: string;
  outcome: JobOutcome;
  /** Keys still wrapped by another master key (0 when the previous key is no longer needed). */
  remaining: number;
  /** The master key that was current before (undefined on a store that had none). */
  from: string | undefined;
  /** Master keys recorded retired by this run (no key is wrapped by them any more). */
  retired: string[];
}

async function rewrapBatch(deps: MasterRotationDeps, rows: readonly TenantKeyRow[]) {
  const masters = masterKeyList(deps.masterKeys);
  const current = deps.masterKeys.current;
  const at = nowIso();
  const next = rows.map((row) => {
    const material = unwrapRow(masters, row);
    try {
      // Every kind the table holds, the audit key (kind 'audit', tenant null) included.
      const ctx = { tenantId: keyRowTenant(row), purpose: row.kind, version: row.version };
      return { row, wrapped: wrapKey(current, material, ctx) };
    } finally {
      material.fill(0);
    }
  });
  // A lost compare-and-set means another run rewrapped that key already: nothing to do.
  const items = next.map((n) => ({
    id: n.row.id,
    expectedWrapped: n.row.wrapped,
    wrapped: n.wrapped,
  }));
  await deps.db.transaction().execute(async (trx) => {
    await assertCurrentMasterKey(trx, current.id);
    await rewrapTenantKeys(trx, items, { masterKeyId: current.id, at });
  });
}

function unknownMasters(ids: readonly string[]): TelvaultError {
  return new TelvaultError(
    'ERR_MASTER_KEY_UNKNOWN',
    `some keys are wrapped by master key(s) ${ids.join(', ')}, which are not configured: set TELVAULT_MASTER_KEY_PREVIOUS to the old key (${MASTER_KEY_VARIABLES} supply master keys)`,
  );
}

async function work(deps: MasterRotationDeps, ctx: JobContext, batchSize: number) {
  const known = new Set(masterKeyList(deps.masterKeys).map((m) => m.id));
  let after = ctx.job.cursor;
  let done = ctx.job.progress_done;
  const unknown = new Set<string>();
  // Two passes at most: the second starts over for keys the saved cursor had passed (a resumed
  // run whose job was started with another current master key).
  for (let pass = 0; pass < 2; pass++, after = null) {
    for (;;) {
      const rows = await listKeysNotWrappedBy(
        deps.db,
        deps.masterKeys.current.id,
        after,
        batchSize,
      );
      if (rows.length === 0) break;
      const usable = rows.filter((r) => known.has(r.master_key_id));
      for (const r of rows) if (!known.has(r.master_key_id)) unknown.add(r.master_key_id);
      await rewrapBatch(deps, usable);
      done += usable.length;
      after = rows[rows.length - 1]?.id ?? after;
      await ctx.save({ cursor: after, done, total: Math.max(ctx.job.progress_total, done) });
    }
    if (ctx.job.cursor === null) break;
  }
  if (unknown.size > 0) {
    throw unknownMasters([...unknown]);
  }
}

/** Rewraps every key under the current master key (starting or resuming the job). */
export async function rotateMasterKey(
  deps: MasterRotationDeps,
  options: RunJobOptions & { batchSize?: number } = {},
): Promise<MasterRotationResult> {
  const { db } = deps;
  const held = new Set(masterKeyList(deps.masterKeys).map((m) => m.id));
  const unknown = (await listWrappingMasterKeyIds(db)).filter((id) => !held.has(id));
  if (unknown.length > 0) throw unknownMasters(unknown);
  const { from } = await promoteMasterKey(db, deps.masterKeys.current);
  const job = await findActiveJob(db, MASTER_KEY_JOB, null);
  const jobId = job?.id ?? newId();
  if (job === undefined) {
    const total = await countKeysNotWrappedBy(db, deps.masterKeys.current.id);
    await insertJob(db, {
      id: jobId,
      kind: MASTER_KEY_JOB,
      tenantId: null,
      params: { to: deps.masterKeys.current.id },
      total,
      at: nowIso(),
    });
  }
  const outcome = await runLeasedJob(db, jobId, options, (ctx) =>
    work(deps, ctx, options.batchSize ?? 500),
  );
  const current = deps.masterKeys.current.id;
  const end =
    outcome === 'done'
      ? await retireUnneededMasterKeys(db, current)
      : { remaining: await countKeysNotWrappedBy(db, current), retired: [] };
  return { jobId, outcome, from, ...end };
}
