import { PostgresAdapter } from 'kysely';
import type { Database, DialectName } from './database.js';

/** Which database a query builder (or transaction) talks to, for the few dialect-specific bits. */
export function dialectOf(db: Database): DialectName {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
}
