// The audit chain: each event's hash covers the previous event's hash in its stream and every
// recorded field, so changing, removing or reordering an event breaks every hash after it. Events
// written before the chain was keyed keep their plain SHA-256 hash (v1); every later event's hash is
// an HMAC under the audit key (v2), which nobody without the key can recompute. Each stream's head
// (its last seq and hash, and the seq its keyed part starts at) is MAC'd too, so a stream that ends
// early, or is gone, no longer matches it.
import { createHash } from 'node:crypto';
import { macTextEquals, type AuditMacs } from '../../crypto/index.js';
import type { AuditEventsTable, AuditHeadsTable } from '../../store/schema.js';

/** prev_hash of a stream's first event, and the hash of a stream head with no events. Stored format: do not change. */
export const GENESIS_HASH = '0'.repeat(64);
/** Domain separation for the plain event hash. Stored format: do not change. */
const PLAIN_DOMAIN = 'telvault/audit-event/v1';
/** Domain separation for the keyed event MAC. Stored format: do not change. */
const KEYED_DOMAIN = 'telvault/audit-chain/v2';
/** Domain separation for a stream head's MAC. Stored format: do not change. */
const HEAD_DOMAIN = 'telvault/audit-head/v2';

/** What the hash covers: every stored column of an event but the hash itself. */
export type ChainedFields = Omit<AuditEventsTable, 'hash'>;

/** What a head's MAC covers. */
export type HeadFields = Pick<AuditHeadsTable, 'stream' | 'seq' | 'hash' | 'keyed_from'>;

// A JSON array is an unambiguous encoding of the fields (strings are quoted and escaped).
function eventText(domain: string, e: ChainedFields): string {
  return JSON.stringify([
    domain,
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
}

/** The plain SHA-256 hash of an event written before the chain was keyed (v1). */
export function hashEvent(e: ChainedFields): string {
  return createHash('sha256').update(eventText(PLAIN_DOMAIN, e), 'utf8').digest('hex');
}

/** The keyed hash (HMAC under the audit key) of an event (v2). */
export function macEvent(macs: AuditMacs, e: ChainedFields): string {
  return macs.event(eventText(KEYED_DOMAIN, e));
}

/** Whether an event's stored hash is right for its place: plain before `keyedFrom`, keyed after. */
export function eventHashMatches(macs: AuditMacs, e: AuditEventsTable, keyedFrom: number): boolean {
  const expected = e.seq < keyedFrom ? hashEvent(e) : macEvent(macs, e);
  return macTextEquals(expected, e.hash);
}

export function macHead(macs: AuditMacs, h: HeadFields): string {
  return macs.head(JSON.stringify([HEAD_DOMAIN, h.stream, h.seq, h.hash, h.keyed_from]));
}

export function headMacMatches(macs: AuditMacs, h: HeadFields & { mac: string }): boolean {
  return macTextEquals(macHead(macs, h), h.mac);
}
