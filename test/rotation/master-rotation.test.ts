import { sql } from 'kysely';
import type { TenantId } from '../../src/crypto/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeyService } from '../../src/services/keys/key-service.js';
import { createTenantService } from '../../src/services/tenants/tenant-service.js';
import { rotateMasterKey } from '../../src/services/keys/rotation/master-key-rotation.js';
import { assertKeysUsable } from '../../src/services/keys/startup-key-check.js';
import { ENCRYPTED_TABLE_LIST } from '../../src/store/encrypted-fields.js';
import type { Database } from '../../src/store/database.js';
import { findCurrentMasterKey, listMasterKeys } from '../../src/store/master-key-repo.js';
import { DIALECTS, openTestStore, randomMasterKey, type TestStore } from '../store/harness.js';
import { readRow, seedTenant } from '../store/fixtures.js';

async function snapshotDataTables(db: Database): Promise<string> {
  const parts = [];
  for (const spec of ENCRYPTED_TABLE_LIST) {
    const r = await sql`select * from ${sql.table(spec.table)} order by id`.execute(db);
    parts.push(JSON.stringify(r.rows));
  }
  return parts.join('\n');
}

describe.each(DIALECTS)('master-key rotation on %s', (dialect) => {
  let store: TestStore;
  const oldMaster = randomMasterKey();
  const newMaster = randomMasterKey();
  const seeded: Array<{ tenantId: TenantId; rows: Awaited<ReturnType<typeof seedTenant>> }> = [];

  beforeAll(async () => {
    store = await openTestStore(dialect, 'master');
    const keys = createKeyService({ db: store.db, masterKeys: { current: oldMaster } });
    await keys.ensureSystemKey();
    const tenants = createTenantService({ db: store.db, keys });
    for (let i = 0; i < 4; i++) {
      const t = await tenants.createTenant({ name: `t${i}` });
      seeded.push({ tenantId: t.id, rows: await seedTenant(store.db, keys, t.id, 1) });
    }
  });
  afterAll(async () => {
    await store.close();
  });

  it('needs the previous key for keys it wrapped, and then changes nothing', async () => {
    await expect(
      rotateMasterKey({ db: store.db, masterKeys: { current: newMaster } }),
    ).rejects.toMatchObject({
      code: 'ERR_MASTER_KEY_UNKNOWN',
      message: expect.stringContaining(oldMaster.id) as unknown,
    });
    // Refused before the new key became current and before any job was recorded.
    expect(await findCurrentMasterKey(store.db)).toBe(oldMaster.id);
    const jobs = await store.db
      .selectFrom('jobs')
      .selectAll()
      .where('kind', '=', 'rotate-master-key')
      .execute();
    expect(jobs).toEqual([]);
  });

  it('rewraps every key in resumable batches, touching only the key table', async () => {
    const before = await snapshotDataTables(store.db);
    const masterKeys = { current: newMaster, previous: oldMaster };
    const ac = new AbortController();
    const first = await rotateMasterKey(
      { db: store.db, masterKeys },
      { batchSize: 2, signal: ac.signal, onProgress: () => ac.abort() },
    );
    expect(first.outcome).toBe('interrupted');
    expect(first.remaining).toBeGreaterThan(0);
    const second = await rotateMasterKey({ db: store.db, masterKeys }, { batchSize: 2 });
    expect(second).toMatchObject({
      jobId: first.jobId,
      outcome: 'done',
      remaining: 0,
      retired: [oldMaster.id],
    });
    expect(
      (await listMasterKeys(store.db))
        .map((m) => [m.id, m.state])
        .sort((a, b) => (a[1] ?? '').localeCompare(b[1] ?? '')),
    ).toEqual([
      [newMaster.id, 'current'],
      [oldMaster.id, 'retired'],
    ]);

    const ids = await store.db
      .selectFrom('tenant_keys')
      .select('master_key_id')
      .distinct()
      .execute();
    expect(ids).toEqual([{ master_key_id: newMaster.id }]);
    expect(await snapshotDataTables(store.db)).toBe(before);

    // The previous master key is no longer needed.
    const only = { current: newMaster };
    await expect(assertKeysUsable(store.db, only)).resolves.toBeUndefined();
    const keys = createKeyService({ db: store.db, masterKeys: only });
    for (const { tenantId, rows } of seeded) {
      for (const [id, { table, values }] of rows) {
        expect(await readRow(store.db, keys, tenantId, table, id)).toEqual(values);
      }
    }
    expect(await keys.rateLimitKey('x')).toMatch(/^rl1\./);
  });
});
