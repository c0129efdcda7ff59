// The lease on a tenant's SIP trunk row: one workflow run at a time per tenant, across processes
// and nodes. Taking the lease increments `lease_fence`, a number that only grows; the holder writes
// every recorded step with `lease_fence = :mine` as a condition (services/records `expect`), so a
// holder whose lease expired and was taken over can no longer write anything.
import type { Database } from './database.js';

export interface TrunkLease {
  owner: string;
  fence: number;
}

export interface TrunkLeaseRow {
  lease_owner: string | null;
  lease_fence: number;
  lease_expires_at: string | null;
}

/** The lease columns of the tenant's trunk row (undefined: no row). */
export async function readTrunkLease(
  db: Database,
  tenantId: string,
): Promise<TrunkLeaseRow | undefined> {
  const row = await db
    .selectFrom('sip_trunks')
    .select(['lease_owner', 'lease_fence', 'lease_expires_at'])
    .where('tenant_id', '=', tenantId)
    .executeTakeFirst();
  return row === undefined ? undefined : { ...row, lease_fence: Number(row.lease_fence) };
}

/** Takes the lease when it is free or expired: the new fence, or undefined when it is held. */
export async function claimTrunkLease(
  db: Database,
  tenantId: string,
  owner: string,
  now: string,
  until: string,
): Promise<TrunkLease | undefined> {
  const row = await db
    .updateTable('sip_trunks')
    .set((eb) => ({
      lease_owner: owner,
      lease_fence: eb('lease_fence', '+', 1),
      lease_expires_at: until,
    }))
    .where('tenant_id', '=', tenantId)
    .where((eb) => eb.or([eb('lease_owner', 'is', null), eb('lease_expires_at', '<', now)]))
    .returning('lease_fence')
    .executeTakeFirst();
  return row === undefined ? undefined : { owner, fence: Number(row.lease_fence) };
}

/** Extends a lease its holder still holds; false when it was lost. */
export async function renewTrunkLease(
  db: Database,
  tenantId: string,
  lease: TrunkLease,
  until: string,
): Promise<boolean> {
  const r = await db
    .updateTable('sip_trunks')
    .set({ lease_expires_at: until })
    .where('tenant_id', '=', tenantId)
    .where('lease_owner', '=', lease.owner)
    .where('lease_fence', '=', lease.fence)
    .executeTakeFirst();
  return r.numUpdatedRows > 0n;
}

/** Gives the lease back (the fence stays: the next holder's is higher). */
export async function releaseTrunkLease(
  db: Database,
  tenantId: string,
  lease: TrunkLease,
): Promise<void> {
  await db
    .updateTable('sip_trunks')
    .set({ lease_owner: null, lease_expires_at: null })
    .where('tenant_id', '=', tenantId)
    .where('lease_owner', '=', lease.owner)
    .where('lease_fence', '=', lease.fence)
    .execute();
}
