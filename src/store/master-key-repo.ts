// master_keys and master_key_nodes: which master key id is current, and which master keys each
// running node holds. Ids only: master key material never reaches the database.
import type { Database, MasterKeyNodesTable, MasterKeysTable, MasterKeyState } from './database.js';
import { dialectOf } from './dialect-of.js';

export type MasterKeyRow = MasterKeysTable;
export type MasterKeyNodeRow = MasterKeyNodesTable;

async function selectCurrent(
  db: Database,
  lock: 'share' | 'update' | 'none',
): Promise<string | undefined> {
  let q = db.selectFrom('master_keys').select('id').where('state', '=', 'current');
  if (dialectOf(db) === 'postgres') {
    if (lock === 'share') q = q.forShare();
    if (lock === 'update') q = q.forUpdate();
  }
  return (await q.executeTakeFirst())?.id;
}

/**
 * The current master key id, locked until the end of the transaction on PostgreSQL: `share` for a
 * wrap (a promotion waits for it), `update` for a promotion. A statement that waited for a
 * promotion re-reads only the rows it had found, no longer current; the next statement sees the
 * new current one, hence the second read. (SQLite write transactions are serial.)
 */
export async function lockCurrentMasterKey(
  trx: Database,
  lock: 'share' | 'update' = 'share',
): Promise<string | undefined> {
  return (await selectCurrent(trx, lock)) ?? selectCurrent(trx, lock);
}

export async function findCurrentMasterKey(db: Database): Promise<string | undefined> {
  return selectCurrent(db, 'none');
}

export async function listMasterKeys(db: Database): Promise<MasterKeyRow[]> {
  return db.selectFrom('master_keys').selectAll().orderBy('created_at').orderBy('id').execute();
}

/** Inserts or updates one master key's state (a promotion demotes the old current one first). */
export async function setMasterKeyState(
  trx: Database,
  id: string,
  state: MasterKeyState,
  at: string,
): Promise<void> {
  await trx
    .insertInto('master_keys')
    .values({ id, state, created_at: at, updated_at: at })
    .onConflict((oc) => oc.column('id').doUpdateSet({ state, updated_at: at }))
    .execute();
}

/** Every master key in `state` other than `exceptId` moves to `to`. */
export async function moveMasterKeyStates(
  trx: Database,
  from: MasterKeyState,
  to: MasterKeyState,
  exceptId: string,
  at: string,
): Promise<string[]> {
  const rows = await trx
    .updateTable('master_keys')
    .set({ state: to, updated_at: at })
    .where('state', '=', from)
    .where('id', '<>', exceptId)
    .returning('id')
    .execute();
  return rows.map((r) => r.id).sort();
}

/** Records (or refreshes) a node and the master key ids it holds. */
export async function upsertMasterKeyNode(trx: Database, row: MasterKeyNodeRow): Promise<void> {
  await trx
    .insertInto('master_key_nodes')
    .values(row)
    .onConflict((oc) =>
      oc.column('node_id').doUpdateSet({ key_ids: row.key_ids, seen_at: row.seen_at }),
    )
    .execute();
}

/** A node's heartbeat; false when its row is gone (then it declares itself again). */
export async function touchMasterKeyNode(
  db: Database,
  nodeId: string,
  at: string,
): Promise<boolean> {
  const r = await db
    .updateTable('master_key_nodes')
    .set({ seen_at: at })
    .where('node_id', '=', nodeId)
    .executeTakeFirst();
  return r.numUpdatedRows > 0n;
}

export async function deleteMasterKeyNode(db: Database, nodeId: string): Promise<void> {
  await db.deleteFrom('master_key_nodes').where('node_id', '=', nodeId).execute();
}

/** Nodes seen at or after `since` (ISO time), by node id. */
export async function listMasterKeyNodes(
  db: Database,
  since?: string,
): Promise<MasterKeyNodeRow[]> {
  let q = db.selectFrom('master_key_nodes').selectAll().orderBy('node_id');
  if (since !== undefined) q = q.where('seen_at', '>=', since);
  return q.execute();
}

/** Forgets nodes not seen since `before` (crashed without saying goodbye). */
export async function deleteMasterKeyNodesSeenBefore(db: Database, before: string): Promise<void> {
  await db.deleteFrom('master_key_nodes').where('seen_at', '<', before).execute();
}
