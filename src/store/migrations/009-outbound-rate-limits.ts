// Outbound rate limits. PostgreSQL: the limiter table RateLimiterPostgres uses, made UNLOGGED (a
// count lost in a crash only lets a window start afresh; not writing it to the WAL keeps every
// checked call from costing a durable write, and keeps the counts out of replicas and backups). A
// deployment may already have a logged `rate_limits` made by the library at run time (before this
// migration, the failed-authentication limit created it): it is switched to UNLOGGED, rows kept.
// Both dialects: a tenant's limits policy in its settings row (JSON, null = the defaults).
// Released: do not change, add a migration.
import { sql } from 'kysely';
import type { Migration } from './index.js';

/** RATE_LIMIT_TABLE at release, in the library's shape (rate-limiter-flexible 11). Frozen. */
const TABLE = 'rate_limits';

export const migration009: Migration = {
  version: 9,
  name: 'outbound-rate-limits',
  up: async (trx, dialect) => {
    if (dialect === 'postgres') {
      await sql`
        create unlogged table if not exists ${sql.table(TABLE)} (
          key varchar(255) primary key,
          points integer not null default 0,
          expire bigint
        )`.execute(trx);
      // A no-op when already unlogged; otherwise rewrites the (small) table under a brief lock.
      await sql`alter table ${sql.table(TABLE)} set unlogged`.execute(trx);
    }
    await trx.schema.alterTable('tenant_settings').addColumn('limits_json', 'text').execute();
  },
};
