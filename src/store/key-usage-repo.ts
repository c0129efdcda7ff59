// key_usage: rows per key version, kept in the same transaction as every encrypted-row write, so
// the status view, key retirement and the start-up check never scan the data tables.
import { sql } from 'kysely';
import { TelvaultError } from '../errors.js';
import type { Database, KeyKind, KeyUsageTable } from './database.js';
import { dialectOf } from './dialect-of.js';

export type KeyUsageRow = KeyUsageTable;

/** The key versions one row uses: its data key version and, if it has one, its blind-index key. */
export interface RowKeys {
  data: number;
  index?: number | null | undefined;
}

async function adjust(
  db: Database,
  tenantId: string,
  kind: KeyKind,
  version: number,
  delta: number,
): Promise<void> {
  await db
    .insertInto('key_usage')
    .values({ tenant_id: tenantId, kind, version, rows: delta })
    .onConflict((oc) =>
      oc
        .columns(['tenant_id', 'kind', 'version'])
        .doUpdateSet({ rows: sql<number>`key_usage.rows + ${delta}` }),
    )
    .execute();
}

async function tenantExists(db: Database, tenantId: string): Promise<boolean> {
  const row = await db
    .selectFrom('tenants')
    .select('id')
    .where('id', '=', tenantId)
    .executeTakeFirst();
  return row !== undefined;
}

async function assertUsable(
  db: Database,
  tenantId: string,
  kind: KeyKind,
  version: number,
): Promise<void> {
  const key = await db
    .selectFrom('tenant_keys')
    .select('state')
    .where('tenant_id', '=', tenantId)
    .where('kind', '=', kind)
    .where('version', '=', version)
    .executeTakeFirst();
  if (key === undefined && !(await tenantExists(db, tenantId))) {
    // The tenant was deleted (on another node, whose deletion this node's cached keys have not
    // seen yet): a retry can never succeed, so it is the same 404 as any route of a missing tenant.
    throw new TelvaultError('ERR_NOT_FOUND', 'tenant not found');
  }
  if (key === undefined || key.state === 'retired') {
    // The writer sealed with a keyring older than a retirement: it must seal again and retry.
    throw new TelvaultError(
      'ERR_KEYS_ROTATION_RUNNING',
      `tenant ${tenantId} ${kind} key v${version} is no longer usable: seal again and retry`,
    );
  }
}

/**
 * Call inside the write transaction of every insert, update or delete of a row with encrypted
 * fields: `before` is the row's key versions as it was (null on insert), `after` as written (null
 * on delete). The usage counter is updated first (its row lock orders this write against a key
 * retirement on PostgreSQL), then the written key is checked to be live.
 */
export async function trackRowKeys(
  trx: Database,
  tenantId: string,
  before: RowKeys | null,
  after: RowKeys | null,
): Promise<void> {
  const changes: Array<[KeyKind, number, number]> = [];
  const b = { data: before?.data ?? null, index: before?.index ?? null };
  const a = { data: after?.data ?? null, index: after?.index ?? null };
  for (const kind of ['data', 'index'] as const) {
    if (b[kind] === a[kind]) continue;
    if (b[kind] !== null) changes.push([kind, b[kind], -1]);
    if (a[kind] !== null) changes.push([kind, a[kind], +1]);
  }
  // One global lock order (kind, then version) so two writers moving rows in opposite
  // directions (a stale writer going back to v1) cannot deadlock on PostgreSQL.
  changes.sort((x, y) => x[0].localeCompare(y[0]) || x[1] - y[1]);
  for (const [kind, version, delta] of changes) {
    await adjust(trx, tenantId, kind, version, delta);
  }
  for (const [kind, version, delta] of changes) {
    if (delta > 0) await assertUsable(trx, tenantId, kind, version);
  }
}

/**
 * Moves `rows` rows from one key version to another (a re-encryption batch), in its transaction,
 * and checks the target key is live.
 */
export async function shiftKeyUsage(
  trx: Database,
  tenantId: string,
  kind: KeyKind,
  move: { from: number; to: number; rows: number },
): Promise<void> {
  if (move.rows === 0 || move.from === move.to) return;
  const steps: Array<[number, number]> = [
    [move.from, -move.rows],
    [move.to, move.rows],
  ];
  steps.sort((x, y) => x[0] - y[0]); // the lock order of trackRowKeys
  for (const [version, delta] of steps) await adjust(trx, tenantId, kind, version, delta);
  await assertUsable(trx, tenantId, kind, move.to);
}

/** Sets a counter (repairs drift found by an actual count under the retirement lock). */
export async function setKeyUsage(
  trx: Database,
  tenantId: string,
  kind: KeyKind,
  version: number,
  rows: number,
): Promise<void> {
  await trx
    .updateTable('key_usage')
    .set({ rows })
    .where('tenant_id', '=', tenantId)
    .where('kind', '=', kind)
    .where('version', '=', version)
    .execute();
}

/** Locks one counter (PostgreSQL) and returns its rows; retirement reads it under this lock. */
export async function lockKeyUsage(
  trx: Database,
  tenantId: string,
  kind: KeyKind,
  version: number,
): Promise<number> {
  await adjust(trx, tenantId, kind, version, 0);
  let q = trx
    .selectFrom('key_usage')
    .select('rows')
    .where('tenant_id', '=', tenantId)
    .where('kind', '=', kind)
    .where('version', '=', version);
  if (dialectOf(trx) === 'postgres') q = q.forUpdate();
  const row = await q.executeTakeFirst();
  return row?.rows ?? 0;
}

export async function listKeyUsage(db: Database, tenantId?: string): Promise<KeyUsageRow[]> {
  let q = db
    .selectFrom('key_usage')
    .selectAll()
    .orderBy('tenant_id')
    .orderBy('kind')
    .orderBy('version');
  if (tenantId !== undefined) q = q.where('tenant_id', '=', tenantId);
  return q.execute();
}

/** Counters with rows > 0: the key versions live rows refer to (the start-up check). */
export async function listKeysInUse(db: Database): Promise<KeyUsageRow[]> {
  return db.selectFrom('key_usage').selectAll().where('rows', '>', 0).execute();
}

export async function deleteTenantKeyUsage(db: Database, tenantId: string): Promise<void> {
  await db.deleteFrom('key_usage').where('tenant_id', '=', tenantId).execute();
}
