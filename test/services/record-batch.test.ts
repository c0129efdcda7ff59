// A record batch (what an import's chunk writes through): writes made inside its runs are held and
// committed in one transaction, all or none; a run that throws leaves nothing behind; a batch whose
// row changed since it was planned (another writer, or one row written twice) commits nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices, type Services } from '../../src/app/services.js';
import type { TenantId } from '../../src/crypto/index.js';
import type { Actor } from '../../src/services/audit/actor.js';
import { createKeyService } from '../../src/services/keys/key-service.js';
import { StaleRead } from '../../src/services/keys/sealing.js';
import { parseSecretInput } from '../../src/services/secrets/secret-service.js';
import { listKeyUsage } from '../../src/store/key-usage-repo.js';
import { DIALECTS, openTestStore, randomMasterKey, type TestStore } from '../store/harness.js';

const actor: Actor = { kind: 'cli' };
const value = (v: string) => parseSecretInput({ value: v });

describe.each(DIALECTS)('a record batch on %s', (dialect) => {
  let store: TestStore;
  let services: Services;

  beforeAll(async () => {
    store = await openTestStore(dialect, 'recbatch');
    const keys = createKeyService({ db: store.db, masterKeys: { current: randomMasterKey() } });
    await keys.ensureSystemKey();
    services = createServices({ db: store.db, dialect, keys, rootTokenHash: undefined });
  });
  afterAll(async () => {
    await store.close();
  });

  const tenant = async (name: string): Promise<TenantId> =>
    (await services.tenants.create(name, actor)).id;

  async function counts(t: TenantId) {
    const n = async (table: 'secrets' | 'audit_events') =>
      Number(
        (
          await store.db
            .selectFrom(table)
            .where('tenant_id', '=', t)
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    return { secrets: await n('secrets'), audit: await n('audit_events') };
  }

  it('holds the writes until commit, then writes them all with their audit events', async () => {
    const t = await tenant('held');
    const before = await counts(t);
    const batch = services.records.batch();
    const views = [];
    for (const name of ['a', 'b', 'c']) {
      views.push(
        await batch.run(() => services.secrets.put(t, name, value(`CANARY-${name}`), actor)),
      );
    }
    expect(batch.size).toBe(3);
    expect(await counts(t)).toEqual(before);
    await batch.commit();
    expect(await counts(t)).toEqual({ secrets: 3, audit: before.audit + 3 });
    // What the run answered is what was written.
    const listed = await services.secrets.list(t);
    expect(listed.map((s) => [s.name, s.updatedAt])).toEqual(
      views.map((v) => [v.name, v.updatedAt]),
    );
    expect((await services.secrets.reveal(t, 'b', actor)).reveal()).toBe('CANARY-b');
    const usage = await listKeyUsage(store.db, t);
    expect(usage.filter((u) => u.kind === 'data').map((u) => u.rows)).toEqual([3]);
    await expect(services.audit.verify()).resolves.toMatchObject({ ok: true });
  });

  it('drops the writes of a run that throws and commits the others', async () => {
    const t = await tenant('dropped');
    const batch = services.records.batch();
    await batch.run(() => services.secrets.put(t, 'kept', value('CANARY-kept'), actor));
    await expect(
      batch.run(async () => {
        await services.secrets.put(t, 'dropped', value('CANARY-dropped'), actor);
        throw new Error('the record failed after its first write');
      }),
    ).rejects.toThrow('the record failed');
    await batch.commit();
    expect((await services.secrets.list(t)).map((s) => s.name)).toEqual(['kept']);
  });

  it('commits nothing when a row changed after it was planned', async () => {
    const t = await tenant('raced');
    await services.secrets.put(t, 'shared', value('CANARY-v1'), actor);
    const before = await counts(t);
    const batch = services.records.batch();
    await batch.run(() => services.secrets.put(t, 'fresh', value('CANARY-fresh'), actor));
    await batch.run(() => services.secrets.put(t, 'shared', value('CANARY-batch'), actor));
    // Another writer between the plan and the commit.
    await services.secrets.put(t, 'shared', value('CANARY-other'), actor);
    await expect(batch.commit()).rejects.toBeInstanceOf(StaleRead);
    expect(await counts(t)).toEqual({ secrets: before.secrets, audit: before.audit + 1 });
    expect((await services.secrets.reveal(t, 'shared', actor)).reveal()).toBe('CANARY-other');
    expect((await services.secrets.list(t)).map((s) => s.name)).toEqual(['shared']);
  });

  it('commits nothing when the batch writes one row twice', async () => {
    const t = await tenant('twice');
    const before = await counts(t);
    const batch = services.records.batch();
    await batch.run(() => services.secrets.put(t, 'one', value('CANARY-first'), actor));
    await batch.run(() => services.secrets.put(t, 'one', value('CANARY-second'), actor));
    await expect(batch.commit()).rejects.toBeInstanceOf(StaleRead);
    expect(await counts(t)).toEqual(before);
  });

  it('refuses a delete inside a run and a second commit', async () => {
    const t = await tenant('rules');
    await services.secrets.put(t, 'x', value('CANARY-x'), actor);
    const batch = services.records.batch();
    await expect(batch.run(() => services.secrets.remove(t, 'x', actor))).rejects.toMatchObject({
      code: 'ERR_INTERNAL',
    });
    await batch.commit();
    await expect(batch.commit()).rejects.toMatchObject({ code: 'ERR_INTERNAL' });
    expect((await services.secrets.list(t)).map((s) => s.name)).toEqual(['x']);
  });
});
