import type { DatabaseTransaction, DialectName } from '../database.js';
import { migration001 } from './001-initial.js';
import { migration002 } from './002-audit-keyed-chain.js';
import { migration003 } from './003-master-keys.js';
import { migration004 } from './004-phones-and-settings.js';
import { migration005 } from './005-sip-trunk-workflow.js';
import { migration006 } from './006-idempotency.js';
import { migration007 } from './007-platform-credentials.js';
import { migration008 } from './008-activity-records.js';
import { migration009 } from './009-outbound-rate-limits.js';
import { migration010 } from './010-import.js';
import { migration011 } from './011-secret-fingerprints.js';

export interface Migration {
  /** Applied in ascending order; a released version never changes (add a new one instead). */
  version: number;
  name: string;
  up: (trx: DatabaseTransaction, dialect: DialectName) => Promise<void>;
}

export const MIGRATIONS: readonly Migration[] = [
  migration001,
  migration002,
  migration003,
  migration004,
  migration005,
  migration006,
  migration007,
  migration008,
  migration009,
  migration010,
  migration011,
];
