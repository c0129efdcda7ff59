import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TenantId } from '../../src/crypto/index.js';
import { envelopeKeyId } from '../../src/crypto/index.js';
import { createKeyService, type KeyService } from '../../src/services/keys/key-service.js';
import {
  createTenantService,
  type TenantService,
} from '../../src/services/tenants/tenant-service.js';
import { retireKeyVersion } from '../../src/services/keys/rotation/key-versions.js';
import {
  rotateTenantKey,
  runTenantKeyRotation,
  startTenantKeyRotation,
} from '../../src/services/keys/rotation/tenant-key-rotation.js';
import { ENCRYPTED_TABLES, rowFields } from '../../src/store/encrypted-fields.js';
import { scanEncryptedRows } from '../../src/store/encrypted-row-repo.js';
import { listKeyUsage, trackRowKeys } from '../../src/store/key-usage-repo.js';
import { DIALECTS, openTestStore, randomMasterKey, type TestStore } from '../store/harness.js';
import { readRow, seedTenant, TABLE_NAMES, updateRow } from '../store/fixtures.js';
import type { Database } from '../../src/store/database.js';

type Rows = Awaited<ReturnType<typeof seedTenant>>;

async function expectAllOnVersion(db: Database, tenantId: string, version: number) {
  for (const table of TABLE_NAMES) {
    const spec = ENCRYPTED_TABLES[table];
    for (const row of await scanEncryptedRows(db, spec, tenantId, null, 10_000)) {
      expect(row.key_version).toBe(version);
      for (const f of rowFields(spec, row)) {
        expect(envelopeKeyId(f.envelope)).toBe(`${tenantId}.d${version}`);
      }
    }
  }
}

async function expectRowsHold(db: Database, keys: KeyService, tenantId: TenantId, rows: Rows) {
  for (const [id, { table, values }] of rows) {
    expect(await readRow(db, keys, tenantId, table, id)).toEqual(values);
  }
}

describe.each(DIALECTS)('tenant data-key rotation on %s', (dialect) => {
  let store: TestStore;
  let keys: KeyService;
  let tenants: TenantService;
  const master = randomMasterKey();

  beforeAll(async () => {
    store = await openTestStore(dialect, 'rot');
    keys = createKeyService({
      db: store.db,
      masterKeys: { current: master },
      cache: { stampCheckMs: 50 },
    });
    tenants = createTenantService({ db: store.db, keys });
  });
  afterAll(async () => {
    await store.close();
  });

  it('re-encrypts every encrypted field in batches and retires the old key', async () => {
    const t = await tenants.createTenant({ name: 'R' });
    const other = await tenants.createTenant({ name: 'untouched' });
    const rows = await seedTenant(store.db, keys, t.id, 5);
    await seedTenant(store.db, keys, other.id, 1);
    const progress: number[] = [];
    const r = await rotateTenantKey({ db: store.db, keys }, t.id, {
      batchSize: 4,
      onProgress: (p) => progress.push(p.done),
    });
    expect(r).toMatchObject({ toVersion: 2, resumed: false, outcome: 'done' });
    expect(progress.length).toBeGreaterThan(7);
    await expectAllOnVersion(store.db, t.id, 2);
    await expectRowsHold(store.db, keys, t.id, rows);
    const usage = await listKeyUsage(store.db, t.id);
    expect(usage.filter((u) => u.kind === 'data').map((u) => [u.version, u.rows])).toEqual([
      [1, 0],
      [2, rows.size],
    ]);
    const states = await store.db
      .selectFrom('tenant_keys')
      .select(['kind', 'version', 'state'])
      .where('tenant_id', '=', t.id)
      .orderBy('kind')
      .orderBy('version')
      .execute();
    expect(states).toEqual([
      { kind: 'data', version: 1, state: 'retired' },
      { kind: 'data', version: 2, state: 'primary' },
      { kind: 'index', version: 1, state: 'primary' },
    ]);
    await expectAllOnVersion(store.db, other.id, 1);
    const job = await store.db
      .selectFrom('jobs')
      .selectAll()
      .where('id', '=', r.jobId)
      .executeTakeFirstOrThrow();
    expect(job.state).toBe('done');
    expect(job.progress_done).toBe(rows.size);
  });

  it('never loses writes made while the job runs', async () => {
    const t = await tenants.createTenant({ name: 'Concurrent' });
    const rows = await seedTenant(store.db, keys, t.id, 12);
    const node2 = await store.openAnother();
    const keys2 = createKeyService({
      db: node2.db,
      masterKeys: { current: master },
      cache: { stampCheckMs: 50 },
    });
    const ids = [...rows.keys()];
    let stop = false;
    let writes = 0;
    const writer = async (db: Database, k: KeyService, seed: number) => {
      for (let i = 0; !stop; i++) {
        const id = ids[(i * 7 + seed) % ids.length] as string;
        const entry = rows.get(id);
        if (entry === undefined) continue;
        const values = Object.fromEntries(
          Object.keys(entry.values).map((f) => [f, `w${seed}-${i}:${f}`]),
        );
        await updateRow(db, k, t.id, entry.table, id, values);
        entry.values = values;
        writes++;
        // Let timers run: on SQLite every await here is already resolved.
        await new Promise((r) => setImmediate(r));
      }
    };
    const writers = [writer(store.db, keys, 1), writer(node2.db, keys2, 2)];
    const r = await rotateTenantKey({ db: store.db, keys }, t.id, { batchSize: 7 });
    stop = true;
    await Promise.all(writers);
    expect(r.outcome).toBe('done');
    expect(writes).toBeGreaterThan(0);
    await expectAllOnVersion(store.db, t.id, 2);
    await expectRowsHold(store.db, keys, t.id, rows);
    await node2.close();
  });

  it('keeps a row written between the job read and its write (fresh and stale writers)', async () => {
    const t = await tenants.createTenant({ name: 'Interleave' });
    const rows = await seedTenant(store.db, keys, t.id, 3);
    // A stale node: its keyring was loaded before the promotion and is not re-checked for a minute.
    const stale = createKeyService({
      db: store.db,
      masterKeys: { current: master },
      cache: { stampCheckMs: 60_000 },
    });
    await stale.sealField(t.id, { entity: 'x', field: 'y', recordId: 'z' }, 'warm');
    const [secretA, secretB] = [...rows].filter(([, r]) => r.table === 'secrets').map(([id]) => id);
    const hit: string[] = [];
    const { jobId } = await startTenantKeyRotation({ db: store.db, keys }, t.id);
    const outcome = await runTenantKeyRotation({ db: store.db, keys }, jobId, {
      batchSize: 2,
      hooks: {
        beforeRowWrite: async ({ id }) => {
          if (hit.includes(id)) return;
          if (id === secretA) {
            hit.push(id);
            await updateRow(store.db, keys, t.id, 'secrets', id, { value: 'fresh-A' });
            rows.set(id, { table: 'secrets', values: { value: 'fresh-A' } });
          } else if (id === secretB) {
            hit.push(id);
            // Sealed with the old key (v1) by the stale node, after the job read the row.
            await updateRow(store.db, stale, t.id, 'secrets', id, { value: 'stale-B' });
            rows.set(id, { table: 'secrets', values: { value: 'stale-B' } });
          }
        },
      },
    });
    expect(outcome).toBe('done');
    expect(hit.sort()).toEqual([secretA, secretB].sort());
    await expectAllOnVersion(store.db, t.id, 2);
    await expectRowsHold(store.db, keys, t.id, rows);
  });

  it('refuses to retire a key still in use, and the primary key', async () => {
    const t = await tenants.createTenant({ name: 'InUse' });
    const seeded = await seedTenant(store.db, keys, t.id, 2);
    await expect(retireKeyVersion(store.db, t.id, 'data', 1)).rejects.toMatchObject({
      code: 'ERR_KEYS_IN_USE',
    });
    const { jobId } = await startTenantKeyRotation({ db: store.db, keys }, t.id);
    await expect(retireKeyVersion(store.db, t.id, 'data', 1)).rejects.toMatchObject({
      code: 'ERR_KEYS_IN_USE',
      message: expect.stringContaining(`${seeded.size} row(s)`) as unknown,
    });
    await expect(retireKeyVersion(store.db, t.id, 'data', 2)).rejects.toMatchObject({
      code: 'ERR_KEYS_IN_USE',
    });
    // Starting again resumes the same job rather than promoting another key.
    expect(await startTenantKeyRotation({ db: store.db, keys }, t.id)).toMatchObject({
      jobId,
      toVersion: 2,
      resumed: true,
    });
    expect(await runTenantKeyRotation({ db: store.db, keys }, jobId)).toBe('done');
  });

  it('starts one rotation when two start at once', async () => {
    const t = await tenants.createTenant({ name: 'Twice' });
    const node2 = await store.openAnother();
    const keys2 = createKeyService({ db: node2.db, masterKeys: { current: master } });
    const [a, b] = await Promise.all([
      startTenantKeyRotation({ db: store.db, keys }, t.id),
      startTenantKeyRotation({ db: node2.db, keys: keys2 }, t.id),
    ]);
    expect(a.jobId).toBe(b.jobId);
    expect([a.toVersion, b.toVersion]).toEqual([2, 2]);
    expect([a.resumed, b.resumed].sort()).toEqual([false, true]);
    expect(await runTenantKeyRotation({ db: store.db, keys }, a.jobId)).toBe('done');
    await node2.close();
  });

  it('refuses a write sealed with a key retired meanwhile; the writer re-seals', async () => {
    const t = await tenants.createTenant({ name: 'Late' });
    const rows = await seedTenant(store.db, keys, t.id, 1);
    const stale = createKeyService({
      db: store.db,
      masterKeys: { current: master },
      cache: { stampCheckMs: 60_000 },
    });
    await stale.sealField(t.id, { entity: 'x', field: 'y', recordId: 'z' }, 'warm');
    expect((await rotateTenantKey({ db: store.db, keys }, t.id)).outcome).toBe('done');
    const [id] = [...rows].find(([, r]) => r.table === 'secrets') ?? [];
    if (id === undefined) throw new Error('no secret row');
    const sealed = await stale.sealFields(t.id, 'secret', id, { value: 'late' });
    expect(sealed.keyVersion).toBe(1);
    // The guard itself: a write on the retired version is refused in its transaction.
    await expect(
      store.db.transaction().execute((trx) => trackRowKeys(trx, t.id, { data: 2 }, { data: 1 })),
    ).rejects.toMatchObject({ code: 'ERR_KEYS_ROTATION_RUNNING' });
    // The fixture writer retries after forgetting its keys, as a service does.
    await updateRow(store.db, stale, t.id, 'secrets', id, { value: 'late' });
    rows.set(id, { table: 'secrets', values: { value: 'late' } });
    await expectAllOnVersion(store.db, t.id, 2);
    await expectRowsHold(store.db, keys, t.id, rows);
  });

  it('resumes an interrupted rotation from its saved cursor', async () => {
    const t = await tenants.createTenant({ name: 'Interrupt' });
    const rows = await seedTenant(store.db, keys, t.id, 4);
    const ac = new AbortController();
    const { jobId } = await startTenantKeyRotation({ db: store.db, keys }, t.id);
    const first = await runTenantKeyRotation({ db: store.db, keys }, jobId, {
      batchSize: 3,
      signal: ac.signal,
      onProgress: (p) => {
        if (p.done >= 6) ac.abort();
      },
    });
    expect(first).toBe('interrupted');
    const job = await store.db
      .selectFrom('jobs')
      .selectAll()
      .where('id', '=', jobId)
      .executeTakeFirstOrThrow();
    expect(job).toMatchObject({ state: 'running', lease_owner: null });
    expect(job.progress_done).toBeGreaterThanOrEqual(6);
    expect(job.progress_done).toBeLessThan(rows.size);
    expect(await runTenantKeyRotation({ db: store.db, keys }, jobId, { batchSize: 3 })).toBe(
      'done',
    );
    await expectAllOnVersion(store.db, t.id, 2);
    await expectRowsHold(store.db, keys, t.id, rows);
  });
});
