import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeyService, type KeyService } from '../../src/services/keys/key-service.js';
import { createTenantService } from '../../src/services/tenants/tenant-service.js';
import {
  rotateIndexKey,
  startIndexKeyRotation,
} from '../../src/services/keys/rotation/index-key-rotation.js';
import { listKeyUsage } from '../../src/store/key-usage-repo.js';
import { DIALECTS, openTestStore, randomMasterKey, type TestStore } from '../store/harness.js';
import { readRow, seedTenant } from '../store/fixtures.js';

describe.each(DIALECTS)('blind-index key rotation on %s', (dialect) => {
  let store: TestStore;
  let keys: KeyService;

  beforeAll(async () => {
    store = await openTestStore(dialect, 'bidx');
    keys = createKeyService({
      db: store.db,
      masterKeys: { current: randomMasterKey() },
      cache: { stampCheckMs: 50 },
    });
  });
  afterAll(async () => {
    await store.close();
  });

  it('finds rows by either index version meanwhile, then moves every index to the new key', async () => {
    const t = await createTenantService({ db: store.db, keys }).createTenant({ name: 'bidx' });
    const rows = await seedTenant(store.db, keys, t.id, 3);
    const phones = [...rows].filter(([, r]) => r.table === 'phones');
    const number = phones[0]?.[1].values['number'] ?? '';
    const old = await keys.blindIndex(t.id, number, 1);
    expect(old.version).toBe(1);

    await startIndexKeyRotation({ db: store.db, keys }, t.id);
    const candidates = await keys.blindIndexCandidates(t.id, number, 1);
    expect(candidates.length).toBe(2);
    expect(candidates).toContain(old.value);
    const found = await store.db
      .selectFrom('phones')
      .select('id')
      .where('tenant_id', '=', t.id)
      .where('number_bidx', 'in', candidates)
      .execute();
    expect(found.map((f) => f.id)).toEqual([phones[0]?.[0]]);

    const r = await rotateIndexKey({ db: store.db, keys }, t.id, { batchSize: 2 });
    expect(r).toMatchObject({ resumed: true, toVersion: 2, outcome: 'done' });
    const now = await keys.blindIndex(t.id, number, 1);
    expect(now.version).toBe(2);
    expect(await keys.blindIndexCandidates(t.id, number, 1)).toEqual([now.value]);
    for (const [id, { table, values }] of rows) {
      expect(await readRow(store.db, keys, t.id, table, id)).toEqual(values);
    }
    for (const [id, { values }] of phones) {
      const row = await store.db
        .selectFrom('phones')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      expect(row.number_bidx).toBe((await keys.blindIndex(t.id, values['number'] ?? '', 1)).value);
      expect(row.bidx_version).toBe(2);
    }
    const calls = await store.db
      .selectFrom('call_records')
      .select('to_bidx')
      .where('tenant_id', '=', t.id)
      .execute();
    expect(calls.every((c) => c.to_bidx?.startsWith('bi1.k2.'))).toBe(true);
    const usage = (await listKeyUsage(store.db, t.id)).filter((u) => u.kind === 'index');
    expect(usage.map((u) => [u.version, u.rows])).toEqual([
      [1, 0],
      [2, 12],
    ]);
    // Data keys untouched.
    const data = await store.db
      .selectFrom('tenant_keys')
      .select(['version', 'state'])
      .where('tenant_id', '=', t.id)
      .where('kind', '=', 'data')
      .execute();
    expect(data).toEqual([{ version: 1, state: 'primary' }]);
  });
});
