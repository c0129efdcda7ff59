// Closing the plain chains: once per deployment, at the audit service's start-up (the migration that
// adds audit_heads cannot do it: it runs before any key is loaded). In one transaction, under a
// lock every node takes first, it gives every stream a MAC'd head: at its last plain event for a
// stream with events (keyed_from = that seq + 1, so the first keyed event links to the last plain
// hash), at seq 0 for a tenant without events (known from the tenants table or from a
// `tenant.create` event, so a stream deleted whole is noticed later). The operator stream, if it
// had plain events, gets an `audit.keyed` event: from then on its last event is keyed.
//
// It never runs again: not once any head exists, and not when the operator stream already ends
// with a keyed event (its head was deleted: re-closing would launder whatever else was deleted;
// `audit verify` reports it instead).
import type { AuditMacs } from '../../crypto/index.js';
import type { Database } from '../../store/database.js';
import { createAuditRepo } from '../../store/audit-repo.js';
import {
  countAuditHeads,
  findAuditHead,
  insertAuditHead,
  lockAuditClosing,
  OPERATOR_STREAM,
} from '../../store/audit-head-repo.js';
import { nowIso } from '../../store/time.js';
import { appendEvents, openStream } from './audit-append.js';
import { eventHashMatches, macHead } from './audit-chain.js';
import { listAllTenantIds, tenantIdsOfTargets } from './audit-streams.js';

const repo = createAuditRepo();

async function closeIn(trx: Database, macs: AuditMacs): Promise<number> {
  await lockAuditClosing(trx);
  if ((await countAuditHeads(trx)) > 0) return 0;
  const operatorLast = await repo.last(trx, null);
  if (operatorLast !== undefined && eventHashMatches(macs, operatorLast, 1)) return 0;
  const at = nowIso();
  const closed = new Set<string>();
  for (const tenantId of await repo.streams(trx)) {
    const last = tenantId === null ? undefined : await repo.last(trx, tenantId);
    if (tenantId === null || last === undefined) continue;
    const head = { stream: tenantId, seq: last.seq, hash: last.hash, keyed_from: last.seq + 1 };
    await insertAuditHead(trx, { ...head, mac: macHead(macs, head), updated_at: at });
    closed.add(tenantId);
  }
  const created = tenantIdsOfTargets(await repo.targetsOf(trx, null, 'tenant.create'));
  for (const id of [...(await listAllTenantIds(trx)), ...created]) {
    if (closed.has(id)) continue;
    closed.add(id);
    await openStream(trx, macs, id, at);
  }
  if (operatorLast === undefined) {
    await openStream(trx, macs, null, at);
    return closed.size;
  }
  const head = {
    stream: OPERATOR_STREAM,
    seq: operatorLast.seq,
    hash: operatorLast.hash,
    keyed_from: operatorLast.seq + 1,
  };
  await insertAuditHead(trx, { ...head, mac: macHead(macs, head), updated_at: at });
  await appendEvents(trx, macs, [
    {
      tenantId: null,
      actor: { kind: 'system', name: 'audit' },
      action: 'audit.keyed',
      target: 'audit-chain',
      detail: { streams: closed.size + 1 },
    },
  ]);
  return closed.size + 1;
}

/**
 * Closes every plain chain unless that was done (see above); returns the streams it closed. With
 * `trx`, inside that transaction (and undone with it).
 */
export async function closePlainChains(
  db: Database,
  macs: AuditMacs,
  trx?: Database,
): Promise<number> {
  // Every start-up after the first: one primary-key read.
  if ((await findAuditHead(trx ?? db, OPERATOR_STREAM)) !== undefined) return 0;
  if (trx !== undefined) return closeIn(trx, macs);
  return db.transaction().execute((t) => closeIn(t, macs));
}
