// `telvault import`: tenants get an external id (the id a platform knows its customer by, unique,
// so an import creates each tenant once), and `import_records` remembers what each source record
// became: the keyed hash of its identity (source, record id, target: no raw id is stored, a
// legacy id may be a phone number), its tenant, what it wrote, and the keyed change fingerprint of
// its values, so a re-run skips what did not change. Released: do not change, add a migration.
import type { Migration } from './index.js';

export const migration010: Migration = {
  version: 10,
  name: 'import',
  up: async (trx) => {
    const s = trx.schema;
    await s.alterTable('tenants').addColumn('external_id', 'text').execute();
    // Unique where set: both SQLite and PostgreSQL let any number of rows hold null.
    await s
      .createIndex('tenants_external_id')
      .unique()
      .on('tenants')
      .column('external_id')
      .execute();
    await s
      .createTable('import_records')
      .addColumn('record_key', 'text', (c) => c.primaryKey())
      .addColumn('tenant_id', 'text', (c) => c.notNull())
      // `phone`, `credentials:twilio`, `secret`, `trunk`.
      .addColumn('target', 'text', (c) => c.notNull())
      // What it wrote: the phone id, the provider, the secret name, `trunk`.
      .addColumn('target_ref', 'text', (c) => c.notNull())
      .addColumn('fingerprint', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await s.createIndex('import_records_tenant').on('import_records').column('tenant_id').execute();
  },
};
