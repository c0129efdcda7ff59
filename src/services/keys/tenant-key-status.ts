// One tenant's keys as `GET /v1/tenants/:tenantId/keys` shows them: what `telvault keys status`
// shows for that tenant (every data and blind-index key version, its state, the master key that
// wraps it and the rows sealed or indexed under it) and its unfinished rotation with its progress.
// Secret-free by construction: a key row's wrapped key is never copied into the view.
import { masterKeyProvider } from '../../crypto/index.js';
import type { Database, JobsTable } from '../../store/database.js';
import { listTenantJobs } from '../../store/job-repo.js';
import { listKeyUsage } from '../../store/key-usage-repo.js';
import { listTenantKeys } from '../../store/tenant-key-repo.js';
import { masterKeyList, type MasterKeys } from './master-keys.js';
import { TENANT_INDEX_KEY_JOB, TENANT_DATA_KEY_JOB } from './rotation/index.js';
import type { RotationView, TenantKeysView } from './tenant-key-schemas.js';

const ROTATION_KINDS: Readonly<Record<string, 'data' | 'index'>> = {
  [TENANT_DATA_KEY_JOB]: 'data',
  [TENANT_INDEX_KEY_JOB]: 'index',
};

/** A rotation job's view; undefined for a job that is no key rotation. */
export function rotationViewOf(job: JobsTable, now = Date.now()): RotationView | undefined {
  const kind = ROTATION_KINDS[job.kind];
  if (kind === undefined) return undefined;
  const params = JSON.parse(job.params_json ?? 'null') as { toVersion?: unknown } | null;
  return {
    jobId: job.id,
    kind,
    state: job.state,
    done: Number(job.progress_done),
    total: Number(job.progress_total),
    toVersion: typeof params?.toVersion === 'number' ? params.toVersion : null,
    active: job.lease_expires_at !== null && Date.parse(job.lease_expires_at) > now,
    startedAt: job.created_at,
    updatedAt: job.updated_at,
    error: job.error,
  };
}

export async function readTenantKeyStatus(
  db: Database,
  masterKeys: MasterKeys,
  tenantId: string,
): Promise<TenantKeysView> {
  const [keys, usage, jobs] = await Promise.all([
    listTenantKeys(db, tenantId),
    listKeyUsage(db, tenantId),
    listTenantJobs(db, tenantId, ['pending', 'running']),
  ]);
  const held = new Map(masterKeyList(masterKeys).map((m) => [m.id, masterKeyProvider(m)]));
  const rows = new Map(usage.map((u) => [`${u.kind}/${u.version}`, Number(u.rows)]));
  const versions = (kind: 'data' | 'index') =>
    keys
      .filter((k) => k.kind === kind)
      .map((k) => ({
        version: k.version,
        state: k.state,
        rows: rows.get(`${kind}/${k.version}`) ?? 0,
        masterKeyId: k.master_key_id,
        masterKeyProvider: held.get(k.master_key_id) ?? ('unknown' as const),
        createdAt: k.created_at,
        updatedAt: k.updated_at,
      }));
  const rotation = jobs.map((j) => rotationViewOf(j)).find((v) => v !== undefined);
  return {
    tenantId,
    dataKeys: versions('data'),
    indexKeys: versions('index'),
    rotation: rotation ?? null,
  };
}
