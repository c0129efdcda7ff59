// A serving node's declaration of the master keys it holds: written at start (in a transaction
// that takes the promotion lock, see master-key-state.ts) and refreshed by a heartbeat, removed on
// close. A master key becomes current only when every node seen lately declared it. A node that
// does not hold the store's current master key refuses to start; one that finds itself without it
// later (its heartbeat had lapsed during a promotion) reports it once and answers
// ERR_MASTER_KEY_STALE to every wrap.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Database } from '../../store/database.js';
import {
  deleteMasterKeyNode,
  deleteMasterKeyNodesSeenBefore,
  findCurrentMasterKey,
  lockCurrentMasterKey,
  touchMasterKeyNode,
  upsertMasterKeyNode,
} from '../../store/master-key-repo.js';
import { nowIso } from '../../store/time.js';
import { masterKeyStale } from './master-key-state.js';
import { heldMasterKeyIds, type MasterKeys } from './master-keys.js';

export const NODE_HEARTBEAT_MS = 5_000;
/** Declarations of nodes gone without a goodbye are dropped after this long. */
const FORGET_AFTER_MS = 3_600_000;

export interface NodePresence {
  readonly nodeId: string;
  /** True while the store's current master key is one this node does not hold. */
  stale(): boolean;
  /** One heartbeat now (the timer runs them every heartbeatMs). */
  beat(): Promise<void>;
  stop(): Promise<void>;
}

export interface NodePresenceOptions {
  heartbeatMs?: number;
  /** Told once each time the node finds itself without the current master key. */
  onStale?: (message: string) => void;
}

export async function startNodePresence(
  db: Database,
  masterKeys: MasterKeys,
  options: NodePresenceOptions = {},
): Promise<NodePresence> {
  const nodeId = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const held = heldMasterKeyIds(masterKeys);
  const startedAt = nowIso();
  const declare = () =>
    db.transaction().execute(async (trx) => {
      const current = await lockCurrentMasterKey(trx, 'share');
      const at = nowIso();
      await upsertMasterKeyNode(trx, {
        node_id: nodeId,
        key_ids: JSON.stringify(held),
        started_at: startedAt,
        seen_at: at,
      });
      return current;
    });

  const current = await declare();
  if (current !== undefined && !held.includes(current)) {
    await deleteMasterKeyNode(db, nodeId);
    throw masterKeyStale(current, masterKeys);
  }
  await deleteMasterKeyNodesSeenBefore(db, new Date(Date.now() - FORGET_AFTER_MS).toISOString());

  let stale = false;
  const beat = async () => {
    if (!(await touchMasterKeyNode(db, nodeId, nowIso()))) await declare();
    const now = await findCurrentMasterKey(db);
    const isStale = now !== undefined && !held.includes(now);
    if (isStale && !stale) options.onStale?.(masterKeyStale(now, masterKeys).message);
    stale = isStale;
  };
  const timer = setInterval(() => {
    // A failed heartbeat (database away) is retried at the next beat; wraps are checked anyway.
    beat().catch(() => undefined);
  }, options.heartbeatMs ?? NODE_HEARTBEAT_MS);
  timer.unref();

  return {
    nodeId,
    stale: () => stale,
    beat,
    async stop() {
      clearInterval(timer);
      await deleteMasterKeyNode(db, nodeId).catch(() => undefined);
    },
  };
}
