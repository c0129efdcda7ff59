// The keyed, anchored audit chain: one head row per stream (its last seq and hash, where its keyed
// part starts, and a MAC under the audit key). Existing events keep their plain SHA-256 hashes.
// Closing each plain chain needs the audit key, which a migration does not have (it runs before any
// key is loaded): the audit service does it once, at its start-up (audit-closing.ts), creating a
// MAC'd head at each stream's last plain event; the first keyed event then links to that hash.
// Released: do not change, add a migration.
import type { Migration } from './index.js';

export const migration002: Migration = {
  version: 2,
  name: 'audit-keyed-chain',
  up: async (trx) => {
    await trx.schema
      .createTable('audit_heads')
      .addColumn('stream', 'text', (c) => c.primaryKey())
      .addColumn('seq', 'integer', (c) => c.notNull())
      .addColumn('hash', 'text', (c) => c.notNull())
      .addColumn('keyed_from', 'integer', (c) => c.notNull())
      .addColumn('mac', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
  },
};
