// tenant_settings: one row per tenant, absent until a tenant first changes a setting.
import type { Database, TenantSettingsTable } from './database.js';

export type TenantSettingsRow = TenantSettingsTable;

export async function findTenantSettings(
  db: Database,
  tenantId: string,
): Promise<TenantSettingsRow | undefined> {
  return db
    .selectFrom('tenant_settings')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .executeTakeFirst();
}

/** Inserts or replaces a tenant's settings row. */
export async function saveTenantSettings(db: Database, row: TenantSettingsRow): Promise<void> {
  await db
    .insertInto('tenant_settings')
    .values(row)
    .onConflict((oc) =>
      oc.column('tenant_id').doUpdateSet({
        default_country: row.default_country,
        allowed_number_types: row.allowed_number_types,
        limits_json: row.limits_json,
        exotel_fallback: row.exotel_fallback,
        destination_countries: row.destination_countries,
        updated_at: row.updated_at,
      }),
    )
    .execute();
}
