import type { DatabaseTransaction, DialectName } from '../database.js';
import { migration001 } from './001-initial.js';
import { migration002 } from './002-audit-keyed-chain.js';

export interface Migration {
  /** Applied in ascending order; a released version never changes (add a new one instead). */
  version: number;
  name: string;
  up: (trx: DatabaseTransaction, dialect: DialectName) => Promise<void>;
}

export const MIGRATIONS: readonly Migration[] = [migration001, migration002];
