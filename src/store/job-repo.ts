// jobs: long-running work (rotations, imports) with progress, a resumable cursor and a lease, so a
// job survives a crash and only one worker runs it at a time.
import type { Database, JobState, JobsTable } from './database.js';

export type JobRow = JobsTable;

export interface NewJob {
  id: string;
  kind: string;
  tenantId: string | null;
  params: unknown;
  total: number;
  at: string;
}

export async function insertJob(db: Database, job: NewJob): Promise<void> {
  await db
    .insertInto('jobs')
    .values({
      id: job.id,
      kind: job.kind,
      tenant_id: job.tenantId,
      state: 'pending',
      progress_done: 0,
      progress_total: job.total,
      cursor: null,
      params_json: JSON.stringify(job.params ?? null),
      error: null,
      lease_owner: null,
      lease_expires_at: null,
      created_at: job.at,
      updated_at: job.at,
    })
    .execute();
}

export async function findJob(db: Database, id: string): Promise<JobRow | undefined> {
  return db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The unfinished job of a kind for a tenant (null: deployment-wide), oldest first. */
export async function findActiveJob(
  db: Database,
  kind: string,
  tenantId: string | null,
): Promise<JobRow | undefined> {
  let q = db
    .selectFrom('jobs')
    .selectAll()
    .where('kind', '=', kind)
    .where('state', 'in', ['pending', 'running'])
    .orderBy('id')
    .limit(1);
  q = tenantId === null ? q.where('tenant_id', 'is', null) : q.where('tenant_id', '=', tenantId);
  return q.executeTakeFirst();
}

export async function listJobs(db: Database, states: JobState[]): Promise<JobRow[]> {
  return db.selectFrom('jobs').selectAll().where('state', 'in', states).orderBy('id').execute();
}

/** A tenant's jobs in these states, oldest first. */
export async function listTenantJobs(
  db: Database,
  tenantId: string,
  states: JobState[],
): Promise<JobRow[]> {
  return db
    .selectFrom('jobs')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('state', 'in', states)
    .orderBy('id')
    .execute();
}

/**
 * Takes (or renews) the lease of an unfinished job: free, expired, or already ours. True when the
 * caller now holds it.
 */
export async function claimJob(
  db: Database,
  id: string,
  owner: string,
  now: string,
  leaseUntil: string,
): Promise<boolean> {
  const r = await db
    .updateTable('jobs')
    .set({ state: 'running', lease_owner: owner, lease_expires_at: leaseUntil, updated_at: now })
    .where('id', '=', id)
    .where('state', 'in', ['pending', 'running'])
    .where((eb) =>
      eb.or([
        eb('lease_owner', 'is', null),
        eb('lease_owner', '=', owner),
        eb('lease_expires_at', '<', now),
      ]),
    )
    .executeTakeFirst();
  return r.numUpdatedRows > 0n;
}

/** Records progress and extends the lease; false when the lease was lost (stop working). */
export async function saveJobProgress(
  db: Database,
  id: string,
  owner: string,
  p: { cursor: string | null; done: number; total: number; now: string; leaseUntil: string },
): Promise<boolean> {
  const r = await db
    .updateTable('jobs')
    .set({
      cursor: p.cursor,
      progress_done: p.done,
      progress_total: p.total,
      lease_expires_at: p.leaseUntil,
      updated_at: p.now,
    })
    .where('id', '=', id)
    .where('lease_owner', '=', owner)
    .where('state', '=', 'running')
    .executeTakeFirst();
  return r.numUpdatedRows > 0n;
}

export async function finishJob(
  db: Database,
  id: string,
  owner: string,
  outcome: { state: 'done' | 'failed'; error: string | null; now: string },
): Promise<boolean> {
  const r = await db
    .updateTable('jobs')
    .set({
      state: outcome.state,
      error: outcome.error,
      lease_owner: null,
      lease_expires_at: null,
      updated_at: outcome.now,
    })
    .where('id', '=', id)
    .where('lease_owner', '=', owner)
    .executeTakeFirst();
  return r.numUpdatedRows > 0n;
}

/** Gives the lease back (an interrupted job stays resumable by anyone at once). */
export async function releaseJob(
  db: Database,
  id: string,
  owner: string,
  now: string,
): Promise<void> {
  await db
    .updateTable('jobs')
    .set({ lease_owner: null, lease_expires_at: null, updated_at: now })
    .where('id', '=', id)
    .where('lease_owner', '=', owner)
    .execute();
}
