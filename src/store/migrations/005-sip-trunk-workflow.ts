// The SIP trunk provisioning workflow (services/trunks): one trunk row per tenant (unique), the
// workflow's steps with their intents and results, a lease with a fencing number that only
// increases, the origination URLs, and a second credential for password rotation; phones learn
// which trunk they are on and their Twilio number sid; tenant jobs (repair, rotation) get a sealed
// record of their parameters and result. Released: do not change, add a migration.
import type { Migration } from './index.js';

export const migration005: Migration = {
  version: 5,
  name: 'sip-trunk-workflow',
  up: async (trx) => {
    const s = trx.schema;
    // No service wrote sip_trunks before this migration, so the constraint cannot fail.
    await s
      .createIndex('sip_trunks_tenant_unique')
      .on('sip_trunks')
      .column('tenant_id')
      .unique()
      .execute();
    const text = [
      // JSON: { <step>: { status, at, intent?, sid?, origin?, error? } } (services/trunks).
      'steps_json',
      'failed_step',
      'error_json',
      'lease_owner',
      'lease_expires_at',
      // JSON array: [{ sid, sipUrl, origin }].
      'origination_json',
      // Rotation: the second credential while numbers move to it.
      'next_credential_sid',
      'next_username',
      'next_password_env',
    ];
    // One column per statement: SQLite's ALTER TABLE adds one at a time.
    for (const column of text) await s.alterTable('sip_trunks').addColumn(column, 'text').execute();
    await s
      .alterTable('sip_trunks')
      .addColumn('lease_fence', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    for (const column of ['trunk_id', 'twilio_sid']) {
      await s.alterTable('phones').addColumn(column, 'text').execute();
    }
    // A tenant job's sealed parameters and result (they name phone numbers): one row per job.
    await s
      .createTable('job_records')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant_id', 'text', (c) => c.notNull())
      .addColumn('job_id', 'text', (c) => c.notNull().unique())
      .addColumn('params_env', 'text')
      .addColumn('result_env', 'text')
      .addColumn('key_version', 'integer', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await s
      .createIndex('job_records_tenant_id')
      .on('job_records')
      .columns(['tenant_id', 'id'])
      .execute();
    await s
      .createIndex('phones_tenant_trunk')
      .on('phones')
      .columns(['tenant_id', 'trunk_id', 'id'])
      .execute();
  },
};
