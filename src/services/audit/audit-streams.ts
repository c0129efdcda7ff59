// Where the streams that should exist are known from besides their own rows: the tenants table and
// the operator stream's `tenant.create` events (a tenant's stream outlives the tenant).
import type { Database } from '../../store/database.js';
import { listTenants } from '../../store/tenant-repo.js';

/** `tenant:<id>` targets of the operator's tenant events → tenant ids. */
export function tenantIdsOfTargets(targets: readonly string[]): string[] {
  return targets.filter((t) => t.startsWith('tenant:')).map((t) => t.slice('tenant:'.length));
}

export async function listAllTenantIds(db: Database): Promise<string[]> {
  const ids: string[] = [];
  for (let afterId: string | undefined; ;) {
    const page = await listTenants(db, { afterId, limit: 1000 });
    ids.push(...page.map((t) => t.id));
    if (page.length < 1000) return ids;
    afterId = page[page.length - 1]?.id;
  }
}
