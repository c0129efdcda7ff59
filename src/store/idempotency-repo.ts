// idempotency_keys and the deletion of idempotency_payloads rows (their writes go through the
// encrypted-record path). Every change of an entry is one conditional statement, so concurrent
// requests on any number of processes or servers agree on one holder: the first insert wins the
// (tenant, key) constraint, a takeover is a compare-and-set on the generation and the lease it
// read, and a holder's writes are conditioned on its generation (the fencing token).
import { sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely';
import type { Database } from './database.js';
import { trackRowKeys } from './key-usage-repo.js';
import type { IdempotencyKeysTable, Schema } from './schema.js';

export type IdempotencyKeyRow = IdempotencyKeysTable;

type Eb = ExpressionBuilder<Schema, 'idempotency_keys'>;

export async function findIdempotencyKey(
  db: Database,
  tenantId: string,
  keyHash: string,
): Promise<IdempotencyKeyRow | undefined> {
  const row = await db
    .selectFrom('idempotency_keys')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('key_hash', '=', keyHash)
    .executeTakeFirst();
  // A driver may give an integer as a string.
  return row === undefined
    ? undefined
    : {
        ...row,
        generation: Number(row.generation),
        intent_sealed: Number(row.intent_sealed),
        status: row.status === null ? null : Number(row.status),
      };
}

/** Inserts a new entry unless the tenant has one for this key hash; true when inserted. */
export async function insertIdempotencyKey(db: Database, row: IdempotencyKeyRow): Promise<boolean> {
  const r = await db
    .insertInto('idempotency_keys')
    .values(row)
    .onConflict((oc) => oc.columns(['tenant_id', 'key_hash']).doNothing())
    .executeTakeFirst();
  return (r.numInsertedOrUpdatedRows ?? 0n) > 0n;
}

/** Where an entry is still held by the holder of `generation`. */
const heldBy =
  (id: string, generation: number) =>
  (eb: Eb): Expression<SqlBool> =>
    eb.and([eb('id', '=', id), eb('generation', '=', generation), eb('state', '=', 'running')]);

/**
 * Takes over a running entry whose lease was read expired, if nothing changed since the read (its
 * generation and lease); the new holder has the next generation. True when taken.
 */
export async function takeOverIdempotencyKey(
  db: Database,
  read: IdempotencyKeyRow,
  next: { owner: string; leaseUntil: string; now: string },
): Promise<boolean> {
  let q = db
    .updateTable('idempotency_keys')
    .set({
      generation: read.generation + 1,
      lease_owner: next.owner,
      lease_expires_at: next.leaseUntil,
      updated_at: next.now,
    })
    .where(heldBy(read.id, read.generation));
  q =
    read.lease_expires_at === null
      ? q.where('lease_expires_at', 'is', null)
      : q.where('lease_expires_at', '=', read.lease_expires_at);
  // A non-resumable entry is never taken over once it was sent.
  if (read.mode === 'once') q = q.where('sent_at', 'is', null);
  const r = await q.executeTakeFirst();
  return r.numUpdatedRows > 0n;
}

export interface HolderUpdate {
  /** The lease, renewed by every write of the holder. */
  leaseUntil: string;
  now: string;
  sentAt?: string;
  recordId?: string | null;
  intent?: { json: string | null; sealed: boolean };
}

/** Renews the holder's lease with what it records; false when it no longer holds the entry. */
export async function updateHeldIdempotencyKey(
  db: Database,
  id: string,
  generation: number,
  u: HolderUpdate,
): Promise<boolean> {
  const r = await db
    .updateTable('idempotency_keys')
    .set({
      lease_expires_at: u.leaseUntil,
      updated_at: u.now,
      ...(u.sentAt === undefined ? {} : { sent_at: u.sentAt, record_id: u.recordId ?? null }),
      ...(u.intent === undefined
        ? {}
        : { intent_json: u.intent.json, intent_sealed: u.intent.sealed ? 1 : 0 }),
    })
    .where(heldBy(id, generation))
    .executeTakeFirst();
  return r.numUpdatedRows > 0n;
}

/** Records the outcome and ends the lease; false when the holder no longer holds the entry. */
export async function completeIdempotencyKey(
  db: Database,
  id: string,
  generation: number,
  o: { status: number; resourceId: string | null; expiresAt: string | null; now: string },
): Promise<boolean> {
  const r = await db
    .updateTable('idempotency_keys')
    .set({
      state: 'done',
      status: o.status,
      resource_id: o.resourceId,
      expires_at: o.expiresAt,
      lease_owner: null,
      lease_expires_at: null,
      updated_at: o.now,
    })
    .where(heldBy(id, generation))
    .executeTakeFirst();
  return r.numUpdatedRows > 0n;
}

/**
 * Deletes the entries that `where` selects, with their payloads (key_usage kept exact), in the
 * caller's transaction; the number of entries deleted.
 */
async function deleteEntriesWhere(
  trx: Database,
  where: (eb: Eb) => Expression<SqlBool>,
): Promise<number> {
  const gone = await trx.deleteFrom('idempotency_keys').where(where).returning('id').execute();
  if (gone.length === 0) return 0;
  await deletePayloads(
    trx,
    gone.map((g) => g.id),
  );
  return gone.length;
}

async function deletePayloads(trx: Database, ids: readonly string[]): Promise<number> {
  if (ids.length === 0) return 0;
  const rows = await trx
    .deleteFrom('idempotency_payloads')
    .where('id', 'in', ids)
    .returning(['tenant_id', 'key_version'])
    .execute();
  for (const r of rows) await trackRowKeys(trx, r.tenant_id, { data: Number(r.key_version) }, null);
  return rows.length;
}

/**
 * The holder gives the entry up: deleted when there is nothing to carry over (not sent, no intent
 * saved), so a retry runs fresh; otherwise its lease ends now, so a retry at once resumes it or is
 * told its outcome is unknown. False when the holder no longer held it.
 */
export async function releaseIdempotencyKey(
  db: Database,
  id: string,
  generation: number,
  now: string,
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const deleted = await deleteEntriesWhere(trx, (eb) =>
      eb.and([
        heldBy(id, generation)(eb),
        eb('sent_at', 'is', null),
        eb('intent_json', 'is', null),
        eb('intent_sealed', '=', 0),
      ]),
    );
    if (deleted > 0) return true;
    const r = await trx
      .updateTable('idempotency_keys')
      .set({ lease_expires_at: now, updated_at: now })
      .where(heldBy(id, generation))
      .executeTakeFirst();
    return r.numUpdatedRows > 0n;
  });
}

/** Expired at `now` and not held: done, or its holder's lease is over. */
const expiredAt =
  (now: string) =>
  (eb: Eb): Expression<SqlBool> =>
    eb.and([
      eb('expires_at', 'is not', null),
      eb('expires_at', '<=', now),
      eb.or([
        eb('state', '=', 'done'),
        eb('lease_expires_at', 'is', null),
        eb('lease_expires_at', '<=', now),
      ]),
    ]);

/** Deletes one entry if it is (still) expired at `now`. */
export async function deleteExpiredIdempotencyKey(
  db: Database,
  id: string,
  now: string,
): Promise<void> {
  await db
    .transaction()
    .execute((trx) =>
      deleteEntriesWhere(trx, (eb) => eb.and([eb('id', '=', id), expiredAt(now)(eb)])),
    );
}

/** Deletes up to `limit` entries expired at `now`; how many. */
export async function sweepIdempotencyKeys(
  db: Database,
  now: string,
  limit: number,
): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const ids = await trx
      .selectFrom('idempotency_keys')
      .select('id')
      .where(expiredAt(now))
      .orderBy('expires_at')
      .limit(limit)
      .execute();
    if (ids.length === 0) return 0;
    const batch = ids.map((r) => r.id);
    // The condition again: an entry may have changed since the select (PostgreSQL).
    return deleteEntriesWhere(trx, (eb) => eb.and([eb('id', 'in', batch), expiredAt(now)(eb)]));
  });
}

/**
 * Deletes up to `limit` payloads whose entry is gone (written by a holder that had lost its entry:
 * an entry's id is never used again); how many.
 */
export async function sweepOrphanIdempotencyPayloads(db: Database, limit: number): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const r = await sql<{ id: string }>`select p.id from idempotency_payloads p
      where not exists (select 1 from idempotency_keys k where k.id = p.id)
      order by p.id limit ${limit}`.execute(trx);
    return deletePayloads(
      trx,
      r.rows.map((x) => x.id),
    );
  });
}

/** Deletes a tenant's entries bound to a resource (the resource was deleted); how many. */
export async function deleteResourceIdempotencyKeys(
  db: Database,
  tenantId: string,
  resourceId: string,
): Promise<number> {
  return db
    .transaction()
    .execute((trx) =>
      deleteEntriesWhere(trx, (eb) =>
        eb.and([eb('tenant_id', '=', tenantId), eb('resource_id', '=', resourceId)]),
      ),
    );
}
