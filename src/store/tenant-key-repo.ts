// tenant_keys: wrapped keys (tenant data and index keys, and the deployment's system key).
import { sql } from 'kysely';
import type { Database, KeyKind, KeyState, TenantKeysTable } from './database.js';
import { dialectOf } from './dialect-of.js';

export type TenantKeyRow = TenantKeysTable;

export async function insertTenantKey(db: Database, row: TenantKeyRow): Promise<void> {
  await db.insertInto('tenant_keys').values(row).execute();
}

/** Inserts unless the id exists (the deterministic id makes concurrent inserts converge). */
export async function insertTenantKeyIfAbsent(db: Database, row: TenantKeyRow): Promise<void> {
  await db
    .insertInto('tenant_keys')
    .values(row)
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
}

/** A tenant's keys (or the system keys for `null`), by kind then version. */
export async function listTenantKeys(
  db: Database,
  tenantId: string | null,
  kind?: KeyKind,
): Promise<TenantKeyRow[]> {
  let q = db.selectFrom('tenant_keys').selectAll().orderBy('kind').orderBy('version');
  q = tenantId === null ? q.where('tenant_id', 'is', null) : q.where('tenant_id', '=', tenantId);
  if (kind !== undefined) q = q.where('kind', '=', kind);
  return q.execute();
}

/** Every tenant key row (status views); the system key rows included. */
export async function listAllTenantKeys(db: Database): Promise<TenantKeyRow[]> {
  return db
    .selectFrom('tenant_keys')
    .selectAll()
    .orderBy('tenant_id')
    .orderBy('kind')
    .orderBy('version')
    .execute();
}

/** Locks one key row until the end of the transaction (PostgreSQL; SQLite writers are serial). */
export async function lockTenantKey(db: Database, id: string): Promise<TenantKeyRow | undefined> {
  let q = db.selectFrom('tenant_keys').selectAll().where('id', '=', id);
  if (dialectOf(db) === 'postgres') q = q.forUpdate();
  return q.executeTakeFirst();
}

export async function setTenantKeyState(
  db: Database,
  id: string,
  state: KeyState,
  at: string,
): Promise<void> {
  await db.updateTable('tenant_keys').set({ state, updated_at: at }).where('id', '=', id).execute();
}

/** Keys not wrapped by `masterKeyId`, in id order after `afterId` (master-key rotation batches). */
export async function listKeysNotWrappedBy(
  db: Database,
  masterKeyId: string,
  afterId: string | null,
  limit: number,
): Promise<TenantKeyRow[]> {
  let q = db
    .selectFrom('tenant_keys')
    .selectAll()
    .where('master_key_id', '<>', masterKeyId)
    .orderBy('id')
    .limit(limit);
  if (afterId !== null) q = q.where('id', '>', afterId);
  return q.execute();
}

/** The master key ids that wrap at least one key. */
export async function listWrappingMasterKeyIds(db: Database): Promise<string[]> {
  const rows = await db.selectFrom('tenant_keys').select('master_key_id').distinct().execute();
  return rows.map((r) => r.master_key_id).sort();
}

export async function countKeysNotWrappedBy(db: Database, masterKeyId: string): Promise<number> {
  const r = await db
    .selectFrom('tenant_keys')
    .select((eb) => eb.fn.countAll<string | number>().as('n'))
    .where('master_key_id', '<>', masterKeyId)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/** Replaces a wrapped key only if it is still the one read (compare-and-set); true if replaced. */
export async function rewrapTenantKey(
  db: Database,
  id: string,
  expectedWrapped: string,
  next: { wrapped: string; masterKeyId: string; at: string },
): Promise<boolean> {
  const r = await db
    .updateTable('tenant_keys')
    .set({ wrapped: next.wrapped, master_key_id: next.masterKeyId, updated_at: next.at })
    .where('id', '=', id)
    .where('wrapped', '=', expectedWrapped)
    .executeTakeFirst();
  return r.numUpdatedRows > 0n;
}

/** Destroys every key of a tenant (the wrapped material is gone; its rows can never be opened). */
export async function deleteTenantKeyRows(db: Database, tenantId: string): Promise<number> {
  const r = await db.deleteFrom('tenant_keys').where('tenant_id', '=', tenantId).executeTakeFirst();
  return Number(r.numDeletedRows);
}

export interface Rewrap {
  id: string;
  expectedWrapped: string;
  wrapped: string;
}

/** rewrapTenantKey for many keys (one statement on PostgreSQL); returns how many were replaced. */
export async function rewrapTenantKeys(
  db: Database,
  items: readonly Rewrap[],
  next: { masterKeyId: string; at: string },
): Promise<number> {
  if (items.length === 0) return 0;
  if (dialectOf(db) === 'sqlite') {
    let n = 0;
    for (const i of items) {
      const ok = await rewrapTenantKey(db, i.id, i.expectedWrapped, {
        ...next,
        wrapped: i.wrapped,
      });
      if (ok) n++;
    }
    return n;
  }
  const values = items.map(
    (i) =>
      sql`(cast(${i.id} as text), cast(${i.expectedWrapped} as text), cast(${i.wrapped} as text))`,
  );
  const r = await sql`update tenant_keys as t
    set wrapped = v.nw, master_key_id = ${next.masterKeyId}, updated_at = ${next.at}
    from (values ${sql.join(values)}) as v (id, ow, nw)
    where t.id = v.id and t.wrapped = v.ow`.execute(db);
  return Number(r.numAffectedRows ?? 0n);
}
