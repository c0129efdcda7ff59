// The start-up check: every key version that live rows refer to (from the maintained key_usage
// counters, not a scan of the data tables) must exist, not be retired, and unwrap with the
// configured master keys, and so must the system key. A tenant whose keys fail is broken alone: by
// default the node serves every other tenant and names the broken ones (their requests answer
// ERR_TENANT_KEYS_UNAVAILABLE); TELVAULT_STRICT_KEY_CHECK=1 refuses to serve instead. The system
// key spans tenants (rate limits), so a node without it never serves.
import { TelvaultError } from '../../errors.js';
import type { Database } from '../../store/database.js';
import { listKeysInUse } from '../../store/key-usage-repo.js';
import { listAllTenantKeys, type TenantKeyRow } from '../../store/tenant-key-repo.js';
import { unwrapRow } from './key-loader.js';
import { MASTER_KEY_VARIABLES, masterKeyList, type MasterKeys } from './master-keys.js';

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
    return code === 'ERR_MASTER_KEY_UNKNOWN' ? 'master-key-unknown' : 'unwrap-failed';
  }
}

/** Lists what is wrong (empty when every tenant can be served). */
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

/** One line per problem, e.g. `tenant 0193… data key v2: master-key-unknown`. */
export function describeKeyProblem(p: KeyCheckProblem): string {
  return `tenant ${p.tenantId ?? '(system)'} ${p.kind} key v${p.version}: ${p.problem}`;
}

function refusal(problems: readonly KeyCheckProblem[]): TelvaultError {
  const list = problems.slice(0, 20).map(describeKeyProblem).join('; ');
  const unknown = problems.some((p) => p.problem === 'master-key-unknown')
    ? ` (master-key-unknown: set ${MASTER_KEY_VARIABLES} to the key that wrapped it)`
    : '';
  return new TelvaultError(
    'ERR_KEYS_MISSING',
    `refusing to serve: ${problems.length} key(s) that stored rows need are unusable: ${list}${unknown}`,
  );
}

/** Throws ERR_KEYS_MISSING naming every tenant and key at fault. */
export async function assertKeysUsable(db: Database, masterKeys: MasterKeys): Promise<void> {
  const { problems } = await inspectKeys(db, masterKeys);
  if (problems.length > 0) throw refusal(problems);
}

/**
 * The check a serving node runs: throws when the system key fails, or when anything fails and
 * `strict`; otherwise returns the broken tenants' problems for the node to log and serve around.
 */
export async function checkKeysAtStart(
  db: Database,
  masterKeys: MasterKeys,
  options: { strict: boolean },
): Promise<KeyCheckProblem[]> {
  const { problems } = await inspectKeys(db, masterKeys);
  const system = problems.filter((p) => p.tenantId === null);
  if (system.length > 0) throw refusal(system);
  if (options.strict && problems.length > 0) throw refusal(problems);
  return problems;
}
