// The key status view: per tenant, every key version with its state and rows, and unfinished jobs.
// Secret-free by construction (wrapped keys are not part of it).
import { masterKeyProvider, type MasterKeyProvider } from '../../crypto/index.js';
import type {
  Database,
  JobState,
  JobsTable,
  KeyKind,
  KeyState,
  MasterKeyState,
} from '../../store/database.js';
import { listJobs } from '../../store/job-repo.js';
import { listKeyUsage } from '../../store/key-usage-repo.js';
import { listMasterKeyNodes, listMasterKeys } from '../../store/master-key-repo.js';
import { listAllTenantKeys } from '../../store/tenant-key-repo.js';
import { listTenants } from '../../store/tenant-repo.js';
import { NODE_LIVE_MS } from './master-key-state.js';
import { masterKeyList, type MasterKeys } from './master-keys.js';
import { inspectKeys, type KeyCheckProblem } from './startup-key-check.js';

export interface KeyVersionView {
  kind: KeyKind;
  version: number;
  state: KeyState;
  masterKeyId: string;
  /** Who holds that master key, as this command was given it (`unknown`: not given it). */
  masterKeyProvider: MasterKeyProviderView;
  rows: number;
  updatedAt: string;
}

export interface JobView {
  id: string;
  kind: string;
  tenantId: string | null;
  state: JobState;
  done: number;
  total: number;
  error: string | null;
}

export interface TenantKeyStatusView {
  tenantId: string;
  name: string;
  keyringStamp: number;
  keys: KeyVersionView[];
  jobs: JobView[];
}

/** `local`, `pkcs11` (a token), or `unknown` when this command was not given that key. */
export type MasterKeyProviderView = MasterKeyProvider | 'unknown';

export interface MasterKeyView {
  id: string;
  provider: MasterKeyProviderView;
  state: MasterKeyState;
  updatedAt: string;
}

export interface NodeView {
  nodeId: string;
  /** Master key ids the node holds. */
  keyIds: string[];
  seenAt: string;
  /** Seen within the last 20 s: a promotion waits for it to hold the new key. */
  live: boolean;
}

export interface KeyStatusView {
  /** Master key ids that still wrap at least one key. */
  masterKeyIds: string[];
  /** The store's master keys: the current one (every new key is wrapped by it) and the others. */
  masterKeys: MasterKeyView[];
  /** Serving nodes and the master keys each declared. */
  nodes: NodeView[];
  /** Keys that stored rows need and that do not unwrap here (with this command's master keys). */
  problems: KeyCheckProblem[];
  system: KeyVersionView[];
  tenants: TenantKeyStatusView[];
  /** Unfinished deployment-wide jobs (master-key rotation). */
  jobs: JobView[];
}

export function jobView(
  j: Pick<
    JobsTable,
    'id' | 'kind' | 'tenant_id' | 'state' | 'progress_done' | 'progress_total' | 'error'
  >,
): JobView {
  return {
    id: j.id,
    kind: j.kind,
    tenantId: j.tenant_id,
    state: j.state,
    done: j.progress_done,
    total: j.progress_total,
    error: j.error,
  };
}

async function allTenants(db: Database) {
  const out = [];
  let afterId: string | undefined;
  for (;;) {
    const page = await listTenants(db, { afterId, limit: 1000 });
    out.push(...page);
    if (page.length < 1000) return out;
    afterId = page[page.length - 1]?.id;
  }
}

export async function readKeyStatus(
  db: Database,
  masterKeys: MasterKeys,
  clock: () => number = Date.now,
): Promise<KeyStatusView> {
  const [tenants, keys, usage, jobs, masters, nodes, check] = await Promise.all([
    allTenants(db),
    listAllTenantKeys(db),
    listKeyUsage(db),
    listJobs(db, ['pending', 'running']),
    listMasterKeys(db),
    listMasterKeyNodes(db),
    inspectKeys(db, masterKeys),
  ]);
  const liveSince = new Date(clock() - NODE_LIVE_MS).toISOString();
  const held = new Map(masterKeyList(masterKeys).map((m) => [m.id, masterKeyProvider(m)]));
  const providerOf = (id: string): MasterKeyProviderView => held.get(id) ?? 'unknown';
  const rows = new Map(usage.map((u) => [`${u.tenant_id}/${u.kind}/${u.version}`, u.rows]));
  const byTenant = new Map<string | null, KeyVersionView[]>();
  for (const k of keys) {
    const list = byTenant.get(k.tenant_id) ?? [];
    list.push({
      kind: k.kind,
      version: k.version,
      state: k.state,
      masterKeyId: k.master_key_id,
      masterKeyProvider: providerOf(k.master_key_id),
      rows: rows.get(`${k.tenant_id}/${k.kind}/${k.version}`) ?? 0,
      updatedAt: k.updated_at,
    });
    byTenant.set(k.tenant_id, list);
  }
  return {
    masterKeyIds: [...new Set(keys.map((k) => k.master_key_id))].sort(),
    masterKeys: masters.map((m) => ({
      id: m.id,
      provider: providerOf(m.id),
      state: m.state,
      updatedAt: m.updated_at,
    })),
    nodes: nodes.map((n) => ({
      nodeId: n.node_id,
      keyIds: JSON.parse(n.key_ids) as string[],
      seenAt: n.seen_at,
      live: n.seen_at >= liveSince,
    })),
    problems: check.problems,
    system: byTenant.get(null) ?? [],
    tenants: tenants.map((t) => ({
      tenantId: t.id,
      name: t.name,
      keyringStamp: t.keyring_stamp,
      keys: byTenant.get(t.id) ?? [],
      jobs: jobs.filter((j) => j.tenant_id === t.id).map(jobView),
    })),
    jobs: jobs.filter((j) => j.tenant_id === null).map(jobView),
  };
}
