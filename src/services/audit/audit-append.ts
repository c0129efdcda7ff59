// Appending to a stream: lock its head row, check the head's MAC, chain the events on from it with
// the keyed hash, move the head, all in the caller's transaction: the events, the head and the
// change they record commit together, or none does. Two nodes appending to one stream serialise on
// the head row (PostgreSQL: SELECT … FOR UPDATE; SQLite: the transaction's write lock).
import type { AuditMacs } from '../../crypto/index.js';
import { TelvaultError } from '../../errors.js';
import type { Database } from '../../store/database.js';
import { createAuditRepo, type AuditEventRow } from '../../store/audit-repo.js';
import {
  advanceAuditHead,
  findAuditHead,
  insertAuditHead,
  streamOf,
} from '../../store/audit-head-repo.js';
import { newId, nowIso } from '../../store/time.js';
import { actorLabel, type Actor } from './actor.js';
import { GENESIS_HASH, headMacMatches, macEvent, macHead } from './audit-chain.js';

export type AuditOutcome = 'success' | 'failure';

export interface AuditEventInput {
  /** null = the operator stream. */
  tenantId: string | null;
  actor: Actor;
  action: string;
  target: string;
  outcome?: AuditOutcome;
  /** Names and ids only, never a value. */
  detail?: Record<string, string | number | boolean | string[] | null>;
  /** When the event happened, if not now (events written late, e.g. after an env override). */
  at?: string;
}

const repo = createAuditRepo();

function streamBroken(stream: string, why: string): TelvaultError {
  return new TelvaultError(
    'ERR_AUDIT_STREAM_BROKEN',
    `audit stream ${stream}: ${why}; run \`telvault audit verify\``,
  );
}

/** Appends events of one stream, in order, in `trx`. */
export async function appendEvents(
  trx: Database,
  macs: AuditMacs,
  events: readonly AuditEventInput[],
): Promise<void> {
  const first = events[0];
  if (first === undefined) return;
  const stream = streamOf(first.tenantId);
  const head = await findAuditHead(trx, stream, true);
  // Never chain on from a head that is gone or forged: that would hide what was done to it.
  if (head === undefined) throw streamBroken(stream, 'its head row is missing');
  if (!headMacMatches(macs, head))
    throw streamBroken(stream, 'its head row does not match its MAC');
  let seq = head.seq;
  let prevHash = head.hash;
  for (const e of events) {
    seq += 1;
    const fields = {
      id: newId(),
      tenant_id: e.tenantId,
      seq,
      at: e.at ?? nowIso(),
      actor: actorLabel(e.actor),
      action: e.action,
      target: e.target,
      outcome: e.outcome ?? 'success',
      detail_json: e.detail === undefined ? null : JSON.stringify(e.detail),
      prev_hash: prevHash,
    };
    const row: AuditEventRow = { ...fields, hash: macEvent(macs, fields) };
    await repo.insert(trx, row);
    prevHash = row.hash;
  }
  const next = { stream, seq, hash: prevHash, keyed_from: head.keyed_from };
  const moved = await advanceAuditHead(trx, stream, head.seq, {
    seq,
    hash: prevHash,
    mac: macHead(macs, next),
    updated_at: nowIso(),
  });
  // Cannot happen under the row lock; if it did, the events must not commit without their head.
  if (!moved) throw streamBroken(stream, 'its head moved during an append');
}

/** Creates the head of a new, empty stream (a tenant's, in the transaction that creates it). */
export async function openStream(
  trx: Database,
  macs: AuditMacs,
  tenantId: string | null,
  at: string = nowIso(),
): Promise<void> {
  const head = { stream: streamOf(tenantId), seq: 0, hash: GENESIS_HASH, keyed_from: 1 };
  await insertAuditHead(trx, { ...head, mac: macHead(macs, head), updated_at: at });
}
