// The store's current master key, and the rule that keeps every node able to unwrap every key:
// a node wraps a new key only under the store's current master key, checked (and locked against a
// promotion) in the wrap's own transaction; and a master key becomes current only once every
// running node has declared that it holds it (node-presence.ts). So no node ever meets a key
// wrapped by a master key it was not given, and no key is wrapped by one that is being retired.
import type { MasterKey } from '../../crypto/index.js';
import { TelvaultError } from '../../errors.js';
import type { Database } from '../../store/database.js';
import {
  findCurrentMasterKey,
  listMasterKeyNodes,
  lockCurrentMasterKey,
  moveMasterKeyStates,
  setMasterKeyState,
} from '../../store/master-key-repo.js';
import { countKeysNotWrappedBy } from '../../store/tenant-key-repo.js';
import { nowIso } from '../../store/time.js';
import { heldMasterKeyIds, masterKeyList, type MasterKeys } from './master-keys.js';

/** A node not seen for this long is taken as gone (it heartbeats every 5 s). */
export const NODE_LIVE_MS = 20_000;

/** The nodes serving this database: seen within NODE_LIVE_MS of `now`. */
export function listLiveNodes(db: Database, now: number) {
  return listMasterKeyNodes(db, new Date(now - NODE_LIVE_MS).toISOString());
}

export function masterKeyStale(currentId: string, masterKeys: MasterKeys): TelvaultError {
  return new TelvaultError(
    'ERR_MASTER_KEY_STALE',
    `this node does not hold the current master key "${currentId}" (it holds ${heldMasterKeyIds(masterKeys).join(', ')}), so it wraps no new key: set TELVAULT_MASTER_KEY_NEXT (or TELVAULT_MASTER_KEY) to that key and restart it`,
  );
}

function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === '23505' || (typeof code === 'string' && code.startsWith('SQLITE_CONSTRAINT'));
}

/**
 * In the wrap's transaction: the master key to wrap under, the store's current one, which this
 * node must hold (ERR_MASTER_KEY_STALE otherwise). A store that records none yet (a library user
 * that never opened it through openServices) records this node's TELVAULT_MASTER_KEY.
 */
export async function currentWrapKey(trx: Database, masterKeys: MasterKeys): Promise<MasterKey> {
  let id = await lockCurrentMasterKey(trx, 'share');
  if (id === undefined) {
    id = masterKeys.current.id;
    await setMasterKeyState(trx, id, 'current', nowIso());
  }
  const key = masterKeyList(masterKeys).find((k) => k.id === id);
  if (key === undefined) throw masterKeyStale(id, masterKeys);
  return key;
}

/** Records TELVAULT_MASTER_KEY as current when the store has none (a new deployment). */
export async function recordCurrentMasterKeyIfAbsent(
  db: Database,
  masterKeys: MasterKeys,
): Promise<string> {
  const found = await findCurrentMasterKey(db);
  if (found !== undefined) return found;
  try {
    return await db.transaction().execute(async (trx) => {
      const id = await lockCurrentMasterKey(trx, 'share');
      if (id !== undefined) return id;
      await setMasterKeyState(trx, masterKeys.current.id, 'current', nowIso());
      return masterKeys.current.id;
    });
  } catch (err) {
    // Another node recorded its key at the same moment: the store has one now.
    const id = isUniqueViolation(err) ? await findCurrentMasterKey(db) : undefined;
    if (id === undefined) throw err;
    return id;
  }
}

export interface MasterKeyPromotion {
  from: string | undefined;
  to: string;
  /** False when `to` was current already. */
  promoted: boolean;
}

/**
 * Makes `target` the current master key, only if every node seen within NODE_LIVE_MS declared it;
 * the old current one becomes `previous`. Node declarations take the same lock, so a node starting
 * meanwhile is either seen here or sees the new current key (and refuses to start without it).
 */
export async function promoteMasterKey(
  db: Database,
  target: MasterKey,
  clock: () => number = Date.now,
): Promise<MasterKeyPromotion> {
  return db.transaction().execute(async (trx) => {
    const from = await lockCurrentMasterKey(trx, 'update');
    if (from === target.id) return { from, to: target.id, promoted: false };
    const missing = (await listLiveNodes(trx, clock())).filter(
      (n) => !(JSON.parse(n.key_ids) as string[]).includes(target.id),
    );
    if (missing.length > 0) {
      const names = missing.map((n) => `${n.node_id} (seen ${n.seen_at})`).join(', ');
      throw new TelvaultError(
        'ERR_MASTER_KEY_NOT_DECLARED',
        `refusing to make "${target.id}" the current master key: ${missing.length} running node(s) do not hold it: ${names}. Give every node the new key as TELVAULT_MASTER_KEY_NEXT (keeping TELVAULT_MASTER_KEY as it is) and restart them one at a time, or stop them, then run this again (docs/operations.md, "Master-key rotation")`,
      );
    }
    const at = nowIso(clock);
    if (from !== undefined) await setMasterKeyState(trx, from, 'previous', at);
    await setMasterKeyState(trx, target.id, 'current', at);
    return { from, to: target.id, promoted: true };
  });
}

/** In a rewrap's transaction: throws unless `id` is still the current master key. */
export async function assertCurrentMasterKey(trx: Database, id: string): Promise<void> {
  const current = await lockCurrentMasterKey(trx, 'share');
  if (current !== id) {
    throw new TelvaultError(
      'ERR_MASTER_KEY_STALE',
      `the current master key changed to "${current ?? '(none)'}" during the rotation: run it again with TELVAULT_MASTER_KEY set to that key`,
    );
  }
}

/**
 * After a rotation: under the promotion lock (no wrap in flight), counts the keys that any other
 * master key still wraps, rows written during the rotation included; at 0 every `previous` master
 * key is recorded `retired` and returned.
 */
export async function retireUnneededMasterKeys(
  db: Database,
  currentId: string,
): Promise<{ remaining: number; retired: string[] }> {
  return db.transaction().execute(async (trx) => {
    const current = (await lockCurrentMasterKey(trx, 'update')) ?? currentId;
    const remaining = await countKeysNotWrappedBy(trx, current);
    if (current !== currentId || remaining > 0) return { remaining, retired: [] };
    return {
      remaining,
      retired: await moveMasterKeyStates(trx, 'previous', 'retired', currentId, nowIso()),
    };
  });
}
