// The start-up check: every key version that live rows refer to (from the maintained key_usage
// counters, not a scan of the data tables) must exist, not be retired, and unwrap with the
// configured master keys. Otherwise the node refuses to serve and says which tenant and key.
import { TelvaultError } from '../../errors.js';
import type { Database } from '../../store/database.js';
import { listKeysInUse } from '../../store/key-usage-repo.js';
import { listAllTenantKeys, type TenantKeyRow } from '../../store/tenant-key-repo.js';
import { unwrapRow } from './key-loader.js';
import { masterKeyList, type MasterKeys } from './master-keys.js';

export interface KeyCheckProblem {
  tenantId: string | null;
  kind: string;
  version: number;
  problem: 'missing' | 'retired' | 'master-key-unknown' | 'unwrap-failed';
}

export interface KeyCheckResult {
  keysChecked: number;
  problems: KeyCheckProblem[];
}

function check(row: TenantKeyRow, masters: ReturnType<typeof masterKeyList>) {
  try {
    unwrapRow(masters, row).fill(0);
    return null;
  } catch (err) {
    const code = err instanceof TelvaultError ? err.code : '';
    return code === 'ERR_KEYS_MASTER_UNKNOWN' ? 'master-key-unknown' : 'unwrap-failed';
  }
}

/** Lists what is wrong (empty when the node can serve). */
export async function inspectKeys(db: Database, masterKeys: MasterKeys): Promise<KeyCheckResult> {
  const masters = masterKeyList(masterKeys);
  const [inUse, keys] = await Promise.all([listKeysInUse(db), listAllTenantKeys(db)]);
  const byId = new Map(keys.map((k) => [`${k.tenant_id}/${k.kind}/${k.version}`, k]));
  const problems: KeyCheckProblem[] = [];
  const toCheck: TenantKeyRow[] = keys.filter((k) => k.kind === 'system');
  for (const u of inUse) {
    const row = byId.get(`${u.tenant_id}/${u.kind}/${u.version}`);
    const at = { tenantId: u.tenant_id, kind: u.kind, version: u.version };
    if (row === undefined) problems.push({ ...at, problem: 'missing' });
    else if (row.state === 'retired') problems.push({ ...at, problem: 'retired' });
    else toCheck.push(row);
  }
  for (const row of toCheck) {
    const problem = check(row, masters);
    if (problem !== null) {
      problems.push({ tenantId: row.tenant_id, kind: row.kind, version: row.version, problem });
    }
  }
  return { keysChecked: toCheck.length, problems };
}

/** Throws ERR_KEYS_MISSING naming every tenant and key at fault. */
export async function assertKeysUsable(db: Database, masterKeys: MasterKeys): Promise<void> {
  const { problems } = await inspectKeys(db, masterKeys);
  if (problems.length === 0) return;
  const list = problems
    .slice(0, 20)
    .map((p) => `tenant ${p.tenantId ?? '(system)'} ${p.kind} key v${p.version}: ${p.problem}`)
    .join('; ');
  throw new TelvaultError(
    'ERR_KEYS_MISSING',
    `refusing to serve: ${problems.length} key(s) that stored rows need are unusable: ${list}`,
  );
}
