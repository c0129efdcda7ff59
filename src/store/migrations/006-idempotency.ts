// Idempotency keys: one row per (tenant, Idempotency-Key) holding the request's fingerprint and the
// lease of the request that runs it (idempotency_keys, no secret in it: the key and the request are
// stored only as keyed hashes), and beside it the entry's sealed payload (idempotency_payloads, in
// the encrypted-field registry: the saved intent state and the response body). Two tables because
// a row of the registry always holds a sealed field, and an entry holds none until its holder saves
// one. Released: do not change, add a migration.
import type { Migration } from './index.js';

export const migration006: Migration = {
  version: 6,
  name: 'idempotency',
  up: async (trx) => {
    const s = trx.schema;
    await s
      .createTable('idempotency_keys')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant_id', 'text', (c) => c.notNull())
      // Keyed hashes (services/idempotency/request-mac.ts): of the key, and of method, route, body.
      .addColumn('key_hash', 'text', (c) => c.notNull())
      .addColumn('fingerprint', 'text', (c) => c.notNull())
      // 'once' (calls, messages, email) or 'resumable' (a provisioning workflow).
      .addColumn('mode', 'text', (c) => c.notNull())
      // 'running' (a holder works on it) or 'done' (its response is stored).
      .addColumn('state', 'text', (c) => c.notNull())
      // Bumped by every takeover: the fencing token every write of a holder is conditioned on.
      .addColumn('generation', 'integer', (c) => c.notNull())
      .addColumn('lease_owner', 'text')
      .addColumn('lease_expires_at', 'text')
      // Set just before a non-resumable holder calls the provider, with the record it attached.
      .addColumn('sent_at', 'text')
      .addColumn('record_id', 'text')
      // The saved intent state as JSON, or 1 in intent_sealed when it is the payload's `intent`.
      .addColumn('intent_json', 'text')
      .addColumn('intent_sealed', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('status', 'integer')
      .addColumn('resource_id', 'text')
      // null: kept while its resource exists (released by its deletion).
      .addColumn('expires_at', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      // The one claim a key can have: concurrent first requests race on this constraint.
      .addUniqueConstraint('idempotency_keys_tenant_key', ['tenant_id', 'key_hash'])
      .execute();
    await s
      .createIndex('idempotency_keys_expires')
      .on('idempotency_keys')
      .columns(['expires_at', 'id'])
      .execute();
    await s
      .createIndex('idempotency_keys_resource')
      .on('idempotency_keys')
      .columns(['tenant_id', 'resource_id'])
      .execute();

    await s
      .createTable('idempotency_payloads')
      // The entry's id: the payload goes with its entry.
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant_id', 'text', (c) => c.notNull())
      // The generation of the holder that wrote it: an older holder may not overwrite it.
      .addColumn('generation', 'integer', (c) => c.notNull())
      .addColumn('intent_env', 'text')
      .addColumn('response_env', 'text')
      .addColumn('key_version', 'integer', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    // Rotation and tenant deletion walk a tenant's rows in id order.
    await s
      .createIndex('idempotency_payloads_tenant_id')
      .on('idempotency_payloads')
      .columns(['tenant_id', 'id'])
      .execute();
  },
};
