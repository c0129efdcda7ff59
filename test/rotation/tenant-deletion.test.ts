import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeyService, type KeyService } from '../../src/services/keys/key-service.js';
import {
  createTenantService,
  type TenantService,
} from '../../src/services/tenants/tenant-service.js';
import { assertKeysUsable } from '../../src/services/keys/startup-key-check.js';
import { ENCRYPTED_TABLE_LIST } from '../../src/store/encrypted-fields.js';
import { insertTenant } from '../../src/store/tenant-repo.js';
import { DIALECTS, openTestStore, randomMasterKey, type TestStore } from '../store/harness.js';
import { readRow, seedTenant } from '../store/fixtures.js';

describe.each(DIALECTS)('tenant deletion on %s', (dialect) => {
  let store: TestStore;
  let keys: KeyService;
  let tenants: TenantService;
  const master = randomMasterKey();

  beforeAll(async () => {
    store = await openTestStore(dialect, 'del');
    keys = createKeyService({ db: store.db, masterKeys: { current: master } });
    await keys.ensureSystemKey();
    tenants = createTenantService({ db: store.db, keys });
  });
  afterAll(async () => {
    await store.close();
  });

  it('destroys keys and rows; a copy taken before can never be opened; audit stays', async () => {
    const t = await tenants.createTenant({ name: 'Doomed' });
    const keep = await tenants.createTenant({ name: 'Neighbour' });
    const rows = await seedTenant(store.db, keys, t.id, 2);
    const neighbour = await seedTenant(store.db, keys, keep.id, 1);
    await store.db
      .insertInto('audit_events')
      .values({
        id: 'a1',
        tenant_id: t.id,
        seq: 1,
        at: new Date().toISOString(),
        actor: 'root',
        action: 'secret.write',
        target: 's',
        outcome: 'ok',
        detail_json: null,
        prev_hash: '',
        hash: 'h',
      })
      .execute();
    // The "backup": a copy of the data tables, without the key table.
    const copy: Array<{ table: string; row: Record<string, unknown> }> = [];
    for (const spec of ENCRYPTED_TABLE_LIST) {
      const r = await sql<Record<string, unknown>>`select * from ${sql.table(spec.table)}
        where tenant_id = ${t.id}`.execute(store.db);
      for (const row of r.rows) copy.push({ table: spec.table, row });
    }
    expect(copy.length).toBe(rows.size);

    const deleted = await tenants.deleteTenant(t.id);
    expect(deleted.rowsDeleted).toBe(rows.size);
    expect(await tenants.findTenant(t.id)).toBeUndefined();
    for (const table of ['tenant_keys', 'key_usage'] as const) {
      const left = await store.db
        .selectFrom(table)
        .select('tenant_id')
        .where('tenant_id', '=', t.id)
        .execute();
      expect(left).toEqual([]);
    }
    const audit = await store.db
      .selectFrom('audit_events')
      .select('id')
      .where('tenant_id', '=', t.id)
      .execute();
    expect(audit).toEqual([{ id: 'a1' }]);

    // The server still starts: no live row refers to the destroyed keys.
    await expect(assertKeysUsable(store.db, { current: master })).resolves.toBeUndefined();

    // Restore the copy, even under a re-created tenant with the same id: nothing opens.
    for (const { table, row } of copy) {
      await sql`insert into ${sql.table(table)} (${sql.join(Object.keys(row).map((c) => sql.ref(c)))})
        values (${sql.join(Object.values(row))})`.execute(store.db);
    }
    const [firstId, first] = [...rows][0] ?? [];
    if (firstId === undefined || first === undefined) throw new Error('no rows');
    await expect(readRow(store.db, keys, t.id, first.table, firstId)).rejects.toMatchObject({
      code: 'ERR_NOT_FOUND',
    });
    await store.db.transaction().execute(async (trx) => {
      await insertTenant(trx, { id: t.id, name: 'Impostor', created_at: '', keyring_stamp: 100 });
      await keys.provisionTenantKeys(trx, t.id);
    });
    for (const [id, { table }] of rows) {
      await expect(readRow(store.db, keys, t.id, table, id)).rejects.toMatchObject({
        code: 'ERR_CRYPTO_DECRYPT_FAILED',
      });
    }
    // The neighbour is untouched.
    for (const [id, { table, values }] of neighbour) {
      expect(await readRow(store.db, keys, keep.id, table, id)).toEqual(values);
    }
  });

  it('rolls back create and delete when the in-transaction step fails', async () => {
    const failing = () => Promise.reject(new Error('step failed'));
    const countOf = async (table: 'tenants' | 'tenant_keys') =>
      (await store.db.selectFrom(table).select('id').execute()).length;
    const before = { tenants: await countOf('tenants'), keys: await countOf('tenant_keys') };
    await expect(tenants.createTenant({ name: 'Never' }, failing)).rejects.toThrow('step failed');
    expect({ tenants: await countOf('tenants'), keys: await countOf('tenant_keys') }).toEqual(
      before,
    );

    const t = await tenants.createTenant({ name: 'Stays' });
    const seeded = await seedTenant(store.db, keys, t.id, 1);
    await expect(tenants.deleteTenant(t.id, failing)).rejects.toThrow('step failed');
    expect(await tenants.findTenant(t.id)).toEqual(t);
    for (const [id, { table, values }] of seeded) {
      expect(await readRow(store.db, keys, t.id, table, id)).toEqual(values);
    }
    const seen: string[] = [];
    await tenants.deleteTenant(t.id, async (trx, gone) => {
      seen.push(gone.id);
      expect(await trx.selectFrom('tenants').select('id').where('id', '=', t.id).execute()).toEqual(
        [],
      );
    });
    expect(seen).toEqual([t.id]);
  });

  it('says not found for an unknown tenant', async () => {
    await expect(tenants.deleteTenant('nope')).rejects.toMatchObject({
      code: 'ERR_NOT_FOUND',
    });
  });
});
