// The platform's own provider credentials (the operator's parent Twilio account: they belong to no
// tenant, so they are sealed under the system key, each secret field in its own envelope bound to
// the row id), and each tenant's Twilio sub-account under it: the friendly name recorded before
// Twilio is asked to create it (write-ahead), the sid once known, and a lease so one node at a
// time provisions a tenant's sub-account. Released: do not change, add a migration.
import type { Migration } from './index.js';

export const migration007: Migration = {
  version: 7,
  name: 'platform-credentials',
  up: async (trx) => {
    const s = trx.schema;
    await s
      .createTable('platform_credentials')
      .addColumn('provider', 'text', (c) => c.primaryKey())
      // Bound into every envelope of the row: a new one whenever the row is created again.
      .addColumn('id', 'text', (c) => c.notNull().unique())
      .addColumn('public_json', 'text', (c) => c.notNull())
      // JSON object: field → envelope (under the system key).
      .addColumn('secrets_json', 'text', (c) => c.notNull())
      // JSON object: field → { last4 }.
      .addColumn('hints_json', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await s
      .createTable('twilio_subaccounts')
      .addColumn('tenant_id', 'text', (c) => c.primaryKey())
      .addColumn('friendly_name', 'text', (c) => c.notNull())
      // null until Twilio's answer is recorded.
      .addColumn('account_sid', 'text')
      .addColumn('lease_owner', 'text')
      .addColumn('lease_expires_at', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
  },
};
