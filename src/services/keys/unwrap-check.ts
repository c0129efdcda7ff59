// Which stored keys the configured master keys cannot open: each wrapped key is unwrapped and
// wiped at once. For the commands that check a whole database before trusting it (restore,
// `backup --verify`, migrate).
import { TelvaultError } from '../../errors.js';
import type { TenantKeyRow } from '../../store/tenant-key-repo.js';
import { unwrapRow } from './key-loader.js';
import { masterKeyList, type MasterKeys } from './master-keys.js';

export interface UnwrapProblem {
  tenantId: string | null;
  kind: string;
  version: number;
  masterKeyId: string;
  problem: 'master-key-unknown' | 'unwrap-failed';
}

export function findUnwrapProblems(
  rows: readonly TenantKeyRow[],
  masterKeys: MasterKeys,
): UnwrapProblem[] {
  const masters = masterKeyList(masterKeys);
  const problems: UnwrapProblem[] = [];
  for (const row of rows) {
    try {
      unwrapRow(masters, row).fill(0);
    } catch (err) {
      const unknown = err instanceof TelvaultError && err.code === 'ERR_MASTER_KEY_UNKNOWN';
      problems.push({
        tenantId: row.tenant_id,
        kind: row.kind,
        version: row.version,
        masterKeyId: row.master_key_id,
        problem: unknown ? 'master-key-unknown' : 'unwrap-failed',
      });
    }
  }
  return problems;
}
