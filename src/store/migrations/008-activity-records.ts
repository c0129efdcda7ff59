// Call, message and email records as the calls, SMS and email routes write them: the phone the
// request named, the agent (Retell), a hash of the per-call hook token (Exotel signs nothing: its
// status callback URL carries a random token made for that one call), the sealed content (an SMS
// body; an email's from and subject), the status's rank (a status only moves forward) and the
// typed error of a failed provider call (codes and statuses only, never vendor text). The same
// columns on the three tables, so one repository shape serves them. And the tenant setting that
// lets an Exotel phone without an account of its own call through the tenant's, and the regions
// calls and messages may go to. Released: do not change, add a
// migration.
import type { Migration } from './index.js';

const TABLES = ['call_records', 'message_records', 'email_records'] as const;

export const migration008: Migration = {
  version: 8,
  name: 'activity-records',
  up: async (trx) => {
    const s = trx.schema;
    for (const table of TABLES) {
      // SQLite adds one column per statement.
      await s.alterTable(table).addColumn('phone_id', 'text').execute();
      await s.alterTable(table).addColumn('agent_id', 'text').execute();
      await s.alterTable(table).addColumn('hook_token_hash', 'text').execute();
      await s.alterTable(table).addColumn('content_env', 'text').execute();
      await s
        .alterTable(table)
        .addColumn('status_rank', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await s.alterTable(table).addColumn('error_json', 'text').execute();
    }
    // 1: an Exotel phone without an account of its own may call through the tenant's.
    await s
      .alterTable('tenant_settings')
      .addColumn('exotel_fallback', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    // JSON list of ISO 3166 regions calls and messages may go to; null: any.
    await s.alterTable('tenant_settings').addColumn('destination_countries', 'text').execute();
  },
};
