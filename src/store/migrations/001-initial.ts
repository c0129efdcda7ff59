// The first schema. Portable column types only (text, integer) so SQLite and PostgreSQL hold the
// same values: timestamps are ISO-8601 text, JSON is text. Released: do not change, add a migration.
import type { CreateTableBuilder } from 'kysely';
import type { Migration } from './index.js';

type Builder = CreateTableBuilder<string, string>;

function timestamps(t: Builder): Builder {
  return t
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull());
}

function commRecords(t: Builder): Builder {
  return timestamps(
    t
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant_id', 'text', (c) => c.notNull())
      .addColumn('provider', 'text', (c) => c.notNull())
      .addColumn('provider_id', 'text')
      .addColumn('to_env', 'text', (c) => c.notNull())
      .addColumn('to_bidx', 'text')
      .addColumn('from_value', 'text')
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('error_code', 'text')
      .addColumn('key_version', 'integer', (c) => c.notNull()),
  );
}

export const migration001: Migration = {
  version: 1,
  name: 'initial',
  up: async (trx) => {
    const s = trx.schema;
    await s
      .createTable('tenants')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('keyring_stamp', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();

    await timestamps(
      s
        .createTable('tenant_keys')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text')
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('wrapped', 'text', (c) => c.notNull())
        .addColumn('master_key_id', 'text', (c) => c.notNull()),
    )
      .addUniqueConstraint('tenant_keys_tenant_kind_version', ['tenant_id', 'kind', 'version'])
      .execute();
    await s
      .createIndex('tenant_keys_master_key')
      .on('tenant_keys')
      .columns(['master_key_id', 'id'])
      .execute();

    await s
      .createTable('key_usage')
      .addColumn('tenant_id', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('rows', 'integer', (c) => c.notNull().defaultTo(0))
      .addPrimaryKeyConstraint('key_usage_pk', ['tenant_id', 'kind', 'version'])
      .execute();

    await s
      .createTable('api_tokens')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant_id', 'text')
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('prefix', 'text', (c) => c.notNull())
      .addColumn('token_hash', 'text', (c) => c.notNull().unique())
      .addColumn('scopes', 'text', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text')
      .addColumn('revoked_at', 'text')
      .addColumn('last_used_at', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await s.createIndex('api_tokens_tenant').on('api_tokens').columns(['tenant_id']).execute();

    await timestamps(
      s
        .createTable('credentials')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('provider', 'text', (c) => c.notNull())
        .addColumn('public_json', 'text', (c) => c.notNull())
        .addColumn('secrets_json', 'text', (c) => c.notNull())
        .addColumn('hints_json', 'text', (c) => c.notNull())
        .addColumn('key_version', 'integer', (c) => c.notNull()),
    )
      .addUniqueConstraint('credentials_tenant_provider', ['tenant_id', 'provider'])
      .execute();

    await timestamps(
      s
        .createTable('secrets')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('value_env', 'text', (c) => c.notNull())
        .addColumn('last4', 'text')
        .addColumn('key_version', 'integer', (c) => c.notNull()),
    )
      .addUniqueConstraint('secrets_tenant_name', ['tenant_id', 'name'])
      .execute();

    await timestamps(
      s
        .createTable('phones')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('number_env', 'text', (c) => c.notNull())
        .addColumn('number_bidx', 'text', (c) => c.notNull())
        .addColumn('bidx_version', 'integer', (c) => c.notNull())
        .addColumn('label', 'text')
        .addColumn('exotel_public_json', 'text')
        .addColumn('exotel_secrets_json', 'text')
        .addColumn('retell_json', 'text')
        .addColumn('key_version', 'integer', (c) => c.notNull()),
    )
      .addUniqueConstraint('phones_tenant_bidx', ['tenant_id', 'number_bidx'])
      .execute();

    await timestamps(
      s
        .createTable('sip_trunks')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('twilio_account_sid', 'text', (c) => c.notNull())
        .addColumn('trunk_sid', 'text')
        .addColumn('domain_name', 'text')
        .addColumn('credential_list_sid', 'text')
        .addColumn('credential_sid', 'text')
        .addColumn('username', 'text')
        .addColumn('password_env', 'text')
        .addColumn('termination_uri', 'text')
        .addColumn('row_version', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('key_version', 'integer', (c) => c.notNull()),
    ).execute();

    for (const table of ['call_records', 'message_records', 'email_records'] as const) {
      await commRecords(s.createTable(table)).execute();
      await s
        .createIndex(`${table}_provider_id`)
        .on(table)
        .columns(['tenant_id', 'provider', 'provider_id'])
        .execute();
    }
    // Rotation and tenant deletion walk a tenant's rows in id order.
    for (const table of [
      'credentials',
      'secrets',
      'phones',
      'sip_trunks',
      'call_records',
      'message_records',
      'email_records',
    ] as const) {
      await s.createIndex(`${table}_tenant_id`).on(table).columns(['tenant_id', 'id']).execute();
    }

    await s
      .createTable('audit_events')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant_id', 'text')
      .addColumn('seq', 'integer', (c) => c.notNull())
      .addColumn('at', 'text', (c) => c.notNull())
      .addColumn('actor', 'text', (c) => c.notNull())
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('target', 'text', (c) => c.notNull())
      .addColumn('outcome', 'text', (c) => c.notNull())
      .addColumn('detail_json', 'text')
      .addColumn('prev_hash', 'text', (c) => c.notNull())
      .addColumn('hash', 'text', (c) => c.notNull())
      .addUniqueConstraint('audit_events_tenant_seq', ['tenant_id', 'seq'])
      .execute();
    await s
      .createIndex('audit_events_tenant_action')
      .on('audit_events')
      .columns(['tenant_id', 'action', 'seq'])
      .execute();

    await timestamps(
      s
        .createTable('jobs')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('tenant_id', 'text')
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('progress_done', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('progress_total', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('cursor', 'text')
        .addColumn('params_json', 'text')
        .addColumn('error', 'text')
        .addColumn('lease_owner', 'text')
        .addColumn('lease_expires_at', 'text'),
    ).execute();
    await s.createIndex('jobs_state_kind').on('jobs').columns(['state', 'kind']).execute();
  },
};
