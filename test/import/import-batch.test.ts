// An import writes a chunk of records in one transaction (the records' rows, their audit events
// and the import records), not one transaction per record; a chunk whose batch cannot commit (two
// records naming one number) is written again one record at a time and ends as one would expect.
// The transactions are counted on the database handle the services use (a counting proxy over the
// real Kysely instance: every query still runs against the real SQLite file or PostgreSQL).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices, type Services } from '../../src/app/services.js';
import type { TenantId } from '../../src/crypto/index.js';
import { importRecords } from '../../src/index.js';
import { createKeyService } from '../../src/services/keys/key-service.js';
import { parseInput } from '../../src/services/common/validation.js';
import { phoneCreate, phoneLookup } from '../../src/services/phones/phone-schemas.js';
import type { Database } from '../../src/store/database.js';
import { DIALECTS, openTestStore, randomMasterKey, type TestStore } from '../store/harness.js';

const CLI = { kind: 'cli' } as const;

/** The same database handle, counting the transactions begun through it. */
function countingTransactions(db: Database): { db: Database; count: () => number } {
  let n = 0;
  const proxy = new Proxy(db, {
    get(target, prop) {
      if (prop === 'transaction') {
        return () => {
          n += 1;
          return target.transaction();
        };
      }
      const v: unknown = Reflect.get(target, prop, target);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  return { db: proxy, count: () => n };
}

const number = (i: number) => `+6149157${String(i).padStart(4, '0')}`;

describe.each(DIALECTS)('import batches on %s', (dialect) => {
  let store: TestStore;
  let counted: ReturnType<typeof countingTransactions>;
  let services: Services;
  let tenantId: TenantId;

  beforeAll(async () => {
    store = await openTestStore(dialect, 'impbatch');
    counted = countingTransactions(store.db);
    const keys = createKeyService({ db: store.db, masterKeys: { current: randomMasterKey() } });
    await keys.ensureSystemKey();
    services = createServices({ db: counted.db, dialect, keys, rootTokenHash: undefined });
    tenantId = (await services.tenants.create('batched', CLI)).id;
  });
  afterAll(async () => {
    await store.close();
  });

  const mapping = () => ({
    version: 1,
    keys: {},
    sources: [
      {
        name: 'phones',
        format: 'json',
        id: 'id',
        tenant: { id: tenantId },
        targets: [
          {
            type: 'phone',
            fields: {
              number: { path: 'number' },
              country: { value: 'AU' },
              provider: { value: 'twilio' },
              label: { path: 'label' },
            },
          },
        ],
      },
    ],
  });
  const lookup = (n: string) =>
    services.phones.lookup(tenantId, parseInput(phoneLookup, { number: n }), true);
  async function rows(table: 'phones' | 'audit_events', action?: string): Promise<number> {
    let q = store.db.selectFrom(table).where('tenant_id', '=', tenantId);
    if (action !== undefined) q = q.where('action', '=', action);
    const r = await q.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    return Number(r.n);
  }
  const run = (records: Record<string, unknown>[]) =>
    importRecords({ ...services, db: counted.db }, mapping(), records, { actor: CLI });

  it('writes 450 records in a handful of transactions, all readable', async () => {
    const records = Array.from({ length: 450 }, (_, i) => ({
      id: `p${i}`,
      number: number(i),
      label: `line ${i}`,
    }));
    const before = counted.count();
    const report = await run(records);
    const used = counted.count() - before;
    expect(report.failed).toEqual([]);
    expect(report.doubtful).toEqual([]);
    expect(report.targets['phone']).toMatchObject({ created: 450 });
    // Three chunks of at most 200: one transaction each (one per record would be 450).
    expect(used).toBeLessThanOrEqual(6);
    expect(await rows('phones')).toBe(450);
    expect(await rows('audit_events', 'phone.create')).toBe(450);
    for (const i of [0, 199, 200, 449]) {
      await expect(lookup(number(i))).resolves.toMatchObject({ label: `line ${i}` });
    }
    await expect(services.audit.verify()).resolves.toMatchObject({ ok: true });
  });

  it('writes a chunk one record at a time when its batch cannot commit, with the same outcome', async () => {
    // A phone made outside the import holds one of the numbers: the batch's unique check refuses
    // it at commit, nothing of the batch is written, and the records are written one at a time
    // (the import then takes the existing phone over, as a re-run after a crash would).
    await services.phones.create(
      tenantId,
      parseInput(phoneCreate, { number: number(9001), country: 'AU', provider: 'twilio' }),
      CLI,
      false,
    );
    const records = [
      { id: 'new-a', number: number(9002), label: 'a' },
      { id: 'held', number: number(9001), label: 'taken over' },
      { id: 'new-b', number: number(9003), label: 'b' },
    ];
    const before = counted.count();
    const report = await run(records);
    expect(counted.count() - before).toBeGreaterThan(3); // the batch, then one per record
    expect(report.doubtful).toEqual([]);
    expect(report.failed).toEqual([]);
    expect(report.targets['phone']).toMatchObject({ created: 3 });
    await expect(lookup(number(9001))).resolves.toMatchObject({ label: 'taken over' });
    await expect(lookup(number(9002))).resolves.toMatchObject({ label: 'a' });
    await expect(lookup(number(9003))).resolves.toMatchObject({ label: 'b' });
    expect(await rows('phones')).toBe(453);
    // A re-run changes nothing.
    const again = await run(records);
    expect(again.targets['phone']).toMatchObject({ unchanged: 3 });
    await expect(services.audit.verify()).resolves.toMatchObject({ ok: true });
  });
});
