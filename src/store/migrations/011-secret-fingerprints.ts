// Secret fingerprints for the leak check (`POST /v1/leak-check`, `telvault scan --check-vault`):
// one row per fingerprinted secret field of a registry row, holding an HMAC of the secret under the
// system key's fingerprint subkey (services/keys/secret-fingerprints.ts), never the secret. Written in
// the transaction that writes the field (services/records), deleted with the row and the tenant.
// Released: do not change, add a migration.
import type { Migration } from './index.js';

export const migration011: Migration = {
  version: 11,
  name: 'secret-fingerprints',
  up: async (trx) => {
    const s = trx.schema;
    await s
      .createTable('secret_fingerprints')
      // The registry row the secret is a field of (store/encrypted-fields.ts names).
      .addColumn('table_name', 'text', (c) => c.notNull())
      .addColumn('record_id', 'text', (c) => c.notNull())
      .addColumn('field', 'text', (c) => c.notNull())
      .addColumn('tenant_id', 'text', (c) => c.notNull())
      // "sf1." ‖ base64url(HMAC-SHA256 under the fingerprint subkey of the system key).
      .addColumn('fingerprint', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('secret_fingerprints_pk', ['table_name', 'record_id', 'field'])
      .execute();
    await s
      .createIndex('secret_fingerprints_fingerprint')
      .on('secret_fingerprints')
      .column('fingerprint')
      .execute();
    await s
      .createIndex('secret_fingerprints_tenant')
      .on('secret_fingerprints')
      .column('tenant_id')
      .execute();
  },
};
