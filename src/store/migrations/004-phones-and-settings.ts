// Phones get what the phone resource needs (country, number type, tags, the provider that carries
// the number's calls), and tenants get a settings row (the default region national numbers are
// read in, and the number types a tenant accepts). Released: do not change, add a migration.
import type { Migration } from './index.js';

/** DEFAULT_ALLOWED_NUMBER_TYPES as it was when this migration was released (a frozen copy). */
const DEFAULT_ALLOWED = JSON.stringify([
  'MOBILE',
  'FIXED_LINE',
  'FIXED_LINE_OR_MOBILE',
  'TOLL_FREE',
  'VOIP',
  'UAN',
]);

export const migration004: Migration = {
  version: 4,
  name: 'phones-and-settings',
  up: async (trx) => {
    const s = trx.schema;
    await s
      .createTable('tenant_settings')
      .addColumn('tenant_id', 'text', (c) => c.primaryKey())
      // ISO 3166 alpha-2, or null: a national number then needs the request's country.
      .addColumn('default_country', 'text')
      // JSON array of PHONE_NUMBER_TYPES.
      .addColumn('allowed_number_types', 'text', (c) => c.notNull().defaultTo(DEFAULT_ALLOWED))
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    // One column per statement: SQLite's ALTER TABLE adds one at a time. Nullable: a row from
    // before this migration has none of them (no service wrote phones before it).
    for (const column of ['country', 'number_type', 'provider']) {
      await s.alterTable('phones').addColumn(column, 'text').execute();
    }
    await s
      .alterTable('phones')
      .addColumn('tags_json', 'text', (c) => c.notNull().defaultTo('[]'))
      .execute();
    // The list filter by provider walks the tenant's phones of one provider in id order.
    await s
      .createIndex('phones_tenant_provider')
      .on('phones')
      .columns(['tenant_id', 'provider', 'id'])
      .execute();
  },
};
