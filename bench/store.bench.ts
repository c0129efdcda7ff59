// Store benchmarks, on SQLite and on PostgreSQL:
// - re-encryption throughput of a tenant data-key rotation (rows/s over N encrypted fields, one
//   field per row), as a ratio to opening and re-sealing the same fields in memory (the crypto
//   floor), measured in the same run;
// - the time to rotate the master key over M tenants (2 wrapped keys each).
// N = BENCH_STORE_FIELDS (default 100 000), M = BENCH_STORE_TENANTS (default 10 000).
import { mkdtempSync, rmSync } from 'node:fs';
import { asTenantId, type TenantId } from '../src/crypto/index.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { openField, parseMasterKey, sealField } from '../src/crypto/index.js';
import { createKeyService, type KeyService } from '../src/services/keys/key-service.js';
import { createTenantService } from '../src/services/tenants/tenant-service.js';
import { rotateMasterKey } from '../src/services/keys/rotation/master-key-rotation.js';
import { rotateTenantKey } from '../src/services/keys/rotation/tenant-key-rotation.js';
import { openDatabase, type Database, type DialectName } from '../src/store/database.js';
import { lockKeyUsage, setKeyUsage } from '../src/store/key-usage-repo.js';
import { insertTenant } from '../src/store/tenant-repo.js';
import { newId, nowIso } from '../src/store/time.js';
import { createTestDatabase } from '../test/support/postgres.js';
import type { BenchModule } from './harness.js';

const FIELDS = Number(process.env['BENCH_STORE_FIELDS'] ?? 100_000);
const TENANTS = Number(process.env['BENCH_STORE_TENANTS'] ?? 10_000);
const BATCH = 500;

const masterKey = () => parseMasterKey(randomBytes(32).toString('base64'));

async function withDatabase<T>(dialect: DialectName, fn: (db: Database) => Promise<T>): Promise<T> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tv-bench-'));
  const pg = dialect === 'postgres' ? await createTestDatabase('bench') : undefined;
  const opened = await openDatabase({ dataDir, databaseUrl: pg?.url });
  try {
    return await fn(opened.db);
  } finally {
    await opened.close();
    await pg?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function seedSecrets(db: Database, keys: KeyService, tenantId: TenantId, n: number) {
  for (let i = 0; i < n; i += BATCH) {
    const rows = [];
    for (let j = i; j < Math.min(n, i + BATCH); j++) {
      const id = newId();
      const at = nowIso();
      const sealed = await keys.sealField(
        tenantId,
        { entity: 'secret', field: 'value', recordId: id },
        `value-${j}-${'x'.repeat(24)}`,
      );
      rows.push({
        id,
        tenant_id: tenantId,
        name: `s${j}`,
        value_env: sealed.envelope,
        last4: null,
        key_version: sealed.keyVersion,
        created_at: at,
        updated_at: at,
      });
    }
    await db.insertInto('secrets').values(rows).execute();
  }
  await db.transaction().execute(async (trx) => {
    await lockKeyUsage(trx, tenantId, 'data', 1);
    await setKeyUsage(trx, tenantId, 'data', 1, n);
  });
}

/** In-memory floor: open and re-seal one field, per second. */
async function cryptoFloor(keys: KeyService, tenantId: TenantId): Promise<number> {
  const ks = await keys.tenantKeyset(tenantId);
  const key = ks.keyring.primary();
  const ctx = { tenantId, entity: 'secret', field: 'value', recordId: newId() };
  const env = sealField(key, `value-0-${'x'.repeat(24)}`, ctx);
  const n = 50_000;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) sealField(key, openField(ks.keyring, env, ctx), ctx);
  return n / (Number(process.hrtime.bigint() - t0) / 1e9);
}

async function reencryptBench(dialect: DialectName) {
  return withDatabase(dialect, async (db) => {
    const keys = createKeyService({ db, masterKeys: { current: masterKey() } });
    const tenant = await createTenantService({ db, keys }).createTenant({ name: 'bench' });
    await seedSecrets(db, keys, tenant.id, FIELDS);
    const floor = await cryptoFloor(keys, tenant.id);
    const t0 = Date.now();
    const r = await rotateTenantKey({ db, keys }, tenant.id, { batchSize: BATCH });
    // The job first waits out the stamp-check interval (every node must write with the new key).
    const seconds = (Date.now() - t0 - keys.propagationDelayMs - 100) / 1000;
    if (r.outcome !== 'done') throw new Error('rotation did not finish');
    return { rowsPerSec: FIELDS / seconds, floor };
  });
}

async function masterBench(dialect: DialectName) {
  return withDatabase(dialect, async (db) => {
    const old = masterKey();
    const keys = createKeyService({ db, masterKeys: { current: old } });
    await keys.ensureSystemKey();
    for (let i = 0; i < TENANTS; i += BATCH) {
      await db.transaction().execute(async (trx) => {
        for (let j = i; j < Math.min(TENANTS, i + BATCH); j++) {
          const id = asTenantId(newId());
          await insertTenant(trx, { id, name: `t${j}`, created_at: nowIso(), keyring_stamp: 1 });
          await keys.provisionTenantKeys(trx, id);
        }
      });
    }
    const t0 = Date.now();
    const r = await rotateMasterKey(
      { db, masterKeys: { current: masterKey(), previous: old } },
      { batchSize: BATCH },
    );
    if (r.outcome !== 'done' || r.remaining !== 0) throw new Error('master rotation incomplete');
    return (Date.now() - t0) / 1000;
  });
}

export const storeBench: BenchModule = {
  name: 'store',
  async run() {
    console.log(
      `re-encryption of ${FIELDS} encrypted fields; master-key rotation over ${TENANTS} tenants`,
    );
    console.log('dialect   | re-encrypt rows/s | crypto floor ops/s | ratio | master rotation');
    for (const dialect of ['sqlite', 'postgres'] as const) {
      const re = await reencryptBench(dialect);
      const master = await masterBench(dialect);
      console.log(
        `${dialect.padEnd(9)} | ${re.rowsPerSec.toFixed(0).padStart(17)} | ${re.floor.toFixed(0).padStart(18)} | ${(re.rowsPerSec / re.floor).toFixed(3)} | ${master.toFixed(2)} s`,
      );
    }
  },
};
