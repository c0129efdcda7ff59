// The audit hash chain: each event's hash covers the previous event's hash in its stream and every
// recorded field, so changing, removing or reordering an event breaks every hash after it.
import { createHash } from 'node:crypto';
import type { AuditEventsTable } from '../../store/schema.js';

/** prev_hash of a stream's first event. Stored format: do not change. */
export const GENESIS_HASH = '0'.repeat(64);
/** Domain separation for the event hash. Stored format: do not change. */
const DOMAIN = 'telvault/audit-event/v1';

/** What the hash covers: every stored column of an event but the hash itself. */
export type ChainedFields = Omit<AuditEventsTable, 'hash'>;

export function hashEvent(e: ChainedFields): string {
  // A JSON array is an unambiguous encoding of the fields (strings are quoted and escaped).
  const canonical = JSON.stringify([
    DOMAIN,
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
  return createHash('sha256').update(canonical, 'utf8').digest('hex');
}
