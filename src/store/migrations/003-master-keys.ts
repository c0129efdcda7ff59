// Master keys in the store (never their material): which master key id is current, so no node
// wraps a new key under another one, and which master keys each running node holds, so a key is
// made current only once every node can unwrap with it. Released: do not change, add a migration.
import { sql } from 'kysely';
import type { Migration } from './index.js';

export const migration003: Migration = {
  version: 3,
  name: 'master-keys',
  up: async (trx) => {
    const s = trx.schema;
    await s
      .createTable('master_keys')
      .addColumn('id', 'text', (c) => c.primaryKey())
      // 'current' (wraps every new key), 'previous' (still wraps keys until the rotation has
      // rewrapped them) or 'retired' (no key is wrapped by it any more).
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    // At most one current master key, whatever two nodes do at once.
    await s
      .createIndex('master_keys_one_current')
      .on('master_keys')
      .column('state')
      .unique()
      .where(sql.ref('state'), '=', sql.lit('current'))
      .execute();

    await s
      .createTable('master_key_nodes')
      .addColumn('node_id', 'text', (c) => c.primaryKey())
      // JSON array of the master key ids the node can unwrap with, sorted.
      .addColumn('key_ids', 'text', (c) => c.notNull())
      .addColumn('started_at', 'text', (c) => c.notNull())
      .addColumn('seen_at', 'text', (c) => c.notNull())
      .execute();

    // A deployment from before this migration: when every wrapped key names one master key, that
    // one is current; otherwise the first node to start records its TELVAULT_MASTER_KEY.
    const ids = await trx
      .selectFrom('tenant_keys')
      .select('master_key_id')
      .distinct()
      .limit(2)
      .execute();
    const only = ids.length === 1 ? ids[0]?.master_key_id : undefined;
    if (only !== undefined) {
      const at = new Date().toISOString();
      await trx
        .insertInto('master_keys')
        .values({ id: only, state: 'current', created_at: at, updated_at: at })
        .execute();
    }
  },
};
