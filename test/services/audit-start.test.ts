// A platform that builds the services itself (createServices, no openServices) never calls
// audit.start(): the first append loads the audit key and closes the chains inside its caller's
// transaction (on SQLite the only connection), and a key created in a transaction that rolls back
// is never used afterwards.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createServices, type Services } from '../../src/app/services.js';
import { createKeyService } from '../../src/services/keys/key-service.js';
import { DIALECTS, openTestStore, randomMasterKey, type TestStore } from '../store/harness.js';

const CLI = { kind: 'cli' } as const;

describe.each(DIALECTS)('the audit log without start() on %s', (dialect) => {
  let store: TestStore;
  let services: Services;

  beforeEach(async () => {
    store = await openTestStore(dialect, 'auditstart');
    const keys = createKeyService({ db: store.db, masterKeys: { current: randomMasterKey() } });
    await keys.ensureSystemKey();
    services = createServices({ db: store.db, dialect, keys, rootTokenHash: undefined });
  });
  afterEach(async () => {
    await store.close();
  });

  const auditKeys = () =>
    store.db.selectFrom('tenant_keys').select('wrapped').where('kind', '=', 'audit').execute();

  it("starts inside the first append's transaction", async () => {
    const t = await services.tenants.create('first', CLI);
    await services.audit.record({ tenantId: t.id, actor: CLI, action: 'x', target: 'y' });
    expect(await auditKeys()).toHaveLength(1);
    expect(await services.audit.verify()).toMatchObject({ ok: true, streams: 2, events: 2 });
  });

  it('forgets a key created in a transaction that rolled back', async () => {
    await expect(
      store.db.transaction().execute(async (trx) => {
        await services.audit.record({ tenantId: null, actor: CLI, action: 'x', target: 'y' }, trx);
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    const t = await services.tenants.create('after', CLI);
    await services.audit.record({ tenantId: t.id, actor: CLI, action: 'x', target: 'y' });
    const [key] = await auditKeys();
    expect(key).toBeDefined();
    expect(await services.audit.verify()).toMatchObject({ ok: true, streams: 2, events: 2 });
    // A second process over the same database uses the same, committed, key.
    const other = await store.openAnother();
    const keys2 = createKeyService({ db: other.db, masterKeys: services.keys.masterKeys });
    const services2 = createServices({
      db: other.db,
      dialect,
      keys: keys2,
      rootTokenHash: undefined,
    });
    await services2.audit.start();
    expect(await services2.audit.verify()).toMatchObject({ ok: true, events: 2 });
    expect(await auditKeys()).toEqual([key]);
    await other.close();
  });
});
