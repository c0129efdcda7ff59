// tenants: the tenant record and its keyring stamp.
import { sql } from 'kysely';
import type { Database, TenantsTable } from './database.js';
import { dialectOf } from './dialect-of.js';

export type TenantRow = TenantsTable;

/** Inserts a tenant row; without an external id when none is given. */
export async function insertTenant(
  db: Database,
  row: Omit<TenantRow, 'external_id'> & { external_id?: string | null },
): Promise<void> {
  await db
    .insertInto('tenants')
    .values({ ...row, external_id: row.external_id ?? null })
    .execute();
}

export async function findTenant(db: Database, id: string): Promise<TenantRow | undefined> {
  return db.selectFrom('tenants').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The tenant with this external id (unique where set). */
export async function findTenantByExternalId(
  db: Database,
  externalId: string,
): Promise<TenantRow | undefined> {
  return db
    .selectFrom('tenants')
    .selectAll()
    .where('external_id', '=', externalId)
    .executeTakeFirst();
}

/** Tenants in id order (UUIDv7: creation order), after `afterId` when given. */
export async function listTenants(
  db: Database,
  page: { afterId?: string | undefined; limit?: number } = {},
): Promise<TenantRow[]> {
  let q = db
    .selectFrom('tenants')
    .selectAll()
    .orderBy('id')
    .limit(page.limit ?? 1000);
  if (page.afterId !== undefined) q = q.where('id', '>', page.afterId);
  return q.execute();
}

export async function deleteTenantRow(db: Database, id: string): Promise<boolean> {
  const r = await db.deleteFrom('tenants').where('id', '=', id).executeTakeFirst();
  return r.numDeletedRows > 0n;
}

/** Bumps the stamp every node compares to notice a keyring change; call in the key change's trx. */
export async function bumpKeyringStamp(db: Database, id: string): Promise<void> {
  await db
    .updateTable('tenants')
    .set({ keyring_stamp: sql<number>`keyring_stamp + 1` })
    .where('id', '=', id)
    .execute();
}

export async function getKeyringStamp(db: Database, id: string): Promise<number | undefined> {
  const row = await db
    .selectFrom('tenants')
    .select('keyring_stamp')
    .where('id', '=', id)
    .executeTakeFirst();
  return row?.keyring_stamp;
}

/** Locks the tenant row until the end of the transaction (PostgreSQL; SQLite writers are serial). */
export async function lockTenant(db: Database, id: string): Promise<TenantRow | undefined> {
  let q = db.selectFrom('tenants').selectAll().where('id', '=', id);
  if (dialectOf(db) === 'postgres') q = q.forUpdate();
  return q.executeTakeFirst();
}
