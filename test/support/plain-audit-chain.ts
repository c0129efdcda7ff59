// The released plain audit chain (telvault/audit-event/v1: SHA-256 over the event's fields),
// written out here independently of src/, as someone without the audit key could compute it: the
// tamper tests forge with it, the upgrade tests rebuild pre-keyed chains with it.
import { createHash } from 'node:crypto';
import type { AuditEventsTable } from '../../src/store/database.js';

export const PLAIN_GENESIS = '0'.repeat(64);

export function plainHash(e: Omit<AuditEventsTable, 'hash'>): string {
  const text = JSON.stringify([
    'telvault/audit-event/v1',
    e.prev_hash,
    e.id,
    e.tenant_id,
    e.seq,
    e.at,
    e.actor,
    e.action,
    e.target,
    e.outcome,
    e.detail_json,
  ]);
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
