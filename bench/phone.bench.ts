// Phone benchmarks, on SQLite and on PostgreSQL:
// - finding one phone by its number among N phones of one tenant through the blind index (the
//   record path's lookup under every index-key candidate), against the design without one: read
//   every row, decrypt its number and compare; both in the same run, and their ratio;
// - phone creates per second through the phone service (normalize, seal, unique check under every
//   index-key version, audit event), sequential.
// N = BENCH_PHONES (default 100 000), creates = BENCH_PHONE_CREATES (default 500).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createServices } from '../src/app/services.js';
import { parseMasterKey, Secret, type TenantId } from '../src/crypto/index.js';
import { createKeyService } from '../src/services/keys/key-service.js';
import { normalizePhoneNumber, PHONE_NORMALIZER_VERSION } from '../src/services/phones/index.js';
import { phoneCreate } from '../src/services/phones/index.js';
import { openDatabase, type DialectName } from '../src/store/database.js';
import { lockKeyUsage, setKeyUsage } from '../src/store/key-usage-repo.js';
import { newId, nowIso } from '../src/store/time.js';
import { createTestDatabase } from '../test/support/postgres.js';
import type { BenchModule } from './harness.js';

const PHONES = Number(process.env['BENCH_PHONES'] ?? 100_000);
const CREATES = Number(process.env['BENCH_PHONE_CREATES'] ?? 500);
const LOOKUPS = 200;
const BATCH = 500;
const ACTOR = { kind: 'system', name: 'bench' } as const;

/** The i-th of a run of valid Australian mobile numbers (+61 4xx xxx xxx, distinct per i). */
function numberOf(i: number): string {
  return `+6141${String(i).padStart(7, '0')}`;
}

interface PhoneFigures {
  indexMs: number;
  scanMs: number;
  createsPerSec: number;
}

async function phoneBench(dialect: DialectName): Promise<PhoneFigures> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tv-bench-phones-'));
  const pg = dialect === 'postgres' ? await createTestDatabase('bench_phones') : undefined;
  const opened = await openDatabase({ dataDir, databaseUrl: pg?.url });
  try {
    const { db } = opened;
    const keys = createKeyService({
      db,
      masterKeys: { current: parseMasterKey(randomBytes(32).toString('base64')) },
    });
    const services = createServices({ db, dialect, keys, rootTokenHash: undefined });
    const tenantId: TenantId = (await services.tenants.create('bench-phones', ACTOR)).id;
    // Seeded with the columns the phone service writes, in batches (the service's per-row audit
    // event is what the create figure below measures).
    for (let i = 0; i < PHONES; i += BATCH) {
      const rows = [];
      for (let j = i; j < Math.min(PHONES, i + BATCH); j++) {
        const id = newId();
        const at = nowIso();
        const e164 = numberOf(j);
        const sealed = await keys.sealField(
          tenantId,
          { entity: 'phone', field: 'number', recordId: id },
          e164,
        );
        const bi = await keys.blindIndex(tenantId, e164, PHONE_NORMALIZER_VERSION);
        rows.push({
          id,
          tenant_id: tenantId,
          number_env: sealed.envelope,
          number_bidx: bi.value,
          bidx_version: bi.version,
          label: null,
          exotel_public_json: null,
          exotel_secrets_json: '{}',
          retell_json: null,
          country: 'AU',
          number_type: 'MOBILE',
          provider: 'twilio',
          tags_json: '[]',
          key_version: sealed.keyVersion,
          created_at: at,
          updated_at: at,
        });
      }
      await db.insertInto('phones').values(rows).execute();
    }
    await db.transaction().execute(async (trx) => {
      await lockKeyUsage(trx, tenantId, 'data', 1);
      await setKeyUsage(trx, tenantId, 'data', 1, PHONES);
      await lockKeyUsage(trx, tenantId, 'index', 1);
      await setKeyUsage(trx, tenantId, 'index', 1, PHONES);
    });
    const targets = Array.from({ length: LOOKUPS }, (_, k) =>
      numberOf(Math.floor(((k + 0.5) * PHONES) / LOOKUPS)),
    );
    // Through the blind index: the phone service's own lookup.
    let t0 = process.hrtime.bigint();
    for (const number of targets) {
      await services.phones.lookup(
        tenantId,
        { number: new Secret(number) } as Parameters<typeof services.phones.lookup>[1],
        true,
      );
    }
    const indexMs = Number(process.hrtime.bigint() - t0) / 1e6 / LOOKUPS;
    // Without one: read every row of the tenant, decrypt its number, compare (one target; the
    // median one, so the scan is not cut short by an early hit).
    const wanted = targets[Math.floor(LOOKUPS / 2)] ?? '';
    t0 = process.hrtime.bigint();
    const rows = await db
      .selectFrom('phones')
      .select(['id', 'number_env'])
      .where('tenant_id', '=', tenantId)
      .execute();
    let hit = '';
    for (const row of rows) {
      const n = await keys.openField(
        tenantId,
        { entity: 'phone', field: 'number', recordId: row.id },
        row.number_env,
      );
      if (n.reveal() === wanted) hit = row.id;
    }
    const scanMs = Number(process.hrtime.bigint() - t0) / 1e6;
    if (hit === '') throw new Error('the scan did not find the phone');
    // Creates through the service, each parsed as the route parses it.
    const created = await services.tenants.create('bench-creates', ACTOR);
    t0 = process.hrtime.bigint();
    for (let i = 0; i < CREATES; i++) {
      const body = phoneCreate.parse({ number: numberOf(i), provider: 'exotel' });
      await services.phones.create(created.id, body, ACTOR, true);
    }
    const createsPerSec = CREATES / (Number(process.hrtime.bigint() - t0) / 1e9);
    // The figures stand for what they say: the last create is found by its number.
    normalizePhoneNumber(numberOf(CREATES - 1));
    return { indexMs, scanMs, createsPerSec };
  } finally {
    await opened.close();
    await pg?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export const phoneBenchModule: BenchModule = {
  name: 'phones',
  async run() {
    console.log(
      `find one phone by number among ${PHONES} phones of one tenant; ${CREATES} phone creates`,
    );
    console.log('dialect   | blind index ms/lookup | decrypt-all ms/lookup | ratio | creates/s');
    for (const dialect of ['sqlite', 'postgres'] as const) {
      const f = await phoneBench(dialect);
      console.log(
        `${dialect.padEnd(9)} | ${f.indexMs.toFixed(3).padStart(21)} | ${f.scanMs.toFixed(1).padStart(21)} | ${(f.scanMs / f.indexMs).toFixed(0)}x | ${f.createsPerSec.toFixed(0)}`,
      );
    }
  },
};
