// Plain reads about a tenant's SIP trunk that need no decryption.
import type { Database } from './database.js';

/** How many of the tenant's phones are on the trunk row `trunkId`. */
export async function countPhonesOnTrunk(
  db: Database,
  tenantId: string,
  trunkId: string,
): Promise<number> {
  const r = await db
    .selectFrom('phones')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('tenant_id', '=', tenantId)
    .where('trunk_id', '=', trunkId)
    .executeTakeFirst();
  return Number(r?.n ?? 0);
}
