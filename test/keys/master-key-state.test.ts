// The store's current master key: every wrap (tenant keys, the system key, a tenant key rotation,
// a rewrap) is made under it and checked in its own transaction; it changes only when every
// running node declared the new key; a rotation retires the old key only when nothing is under it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TenantId } from '../../src/crypto/index.js';
import { createKeyService, type KeyService } from '../../src/services/keys/key-service.js';
import { promoteMasterKey } from '../../src/services/keys/master-key-state.js';
import type { MasterKeys } from '../../src/services/keys/master-keys.js';
import { startNodePresence } from '../../src/services/keys/node-presence.js';
import { rotateMasterKey } from '../../src/services/keys/rotation/master-key-rotation.js';
import { rotateTenantKey } from '../../src/services/keys/rotation/tenant-key-rotation.js';
import { createTenantService } from '../../src/services/tenants/tenant-service.js';
import type { Database } from '../../src/store/database.js';
import { findCurrentMasterKey, listMasterKeys } from '../../src/store/master-key-repo.js';
import { DIALECTS, openTestStore, randomMasterKey, type TestStore } from '../store/harness.js';

async function wrappersOf(db: Database, tenantId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('tenant_keys')
    .select('master_key_id')
    .where('tenant_id', '=', tenantId)
    .execute();
  return [...new Set(rows.map((r) => r.master_key_id))];
}

describe.each(DIALECTS)('the current master key on %s', (dialect) => {
  let store: TestStore;
  const k1 = randomMasterKey();
  const k2 = randomMasterKey();
  const k3 = randomMasterKey();
  const service = (
    masterKeys: MasterKeys,
  ): { keys: KeyService; create: (n: string) => Promise<TenantId> } => {
    const keys = createKeyService({ db: store.db, masterKeys });
    const tenants = createTenantService({ db: store.db, keys });
    return { keys, create: async (name) => (await tenants.createTenant({ name })).id };
  };

  beforeAll(async () => {
    store = await openTestStore(dialect, 'mkstate');
  });
  afterAll(async () => {
    await store.close();
  });

  it('records the first wrapping key as current, and a node without it wraps nothing', async () => {
    const first = service({ current: k1 });
    await first.keys.ensureSystemKey();
    expect(await findCurrentMasterKey(store.db)).toBe(k1.id);
    const t = await first.create('a');
    expect(await wrappersOf(store.db, t)).toEqual([k1.id]);

    // A node configured with another key only (its own TELVAULT_MASTER_KEY is k2).
    const stranger = service({ current: k2 });
    const err = await stranger.create('never').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ERR_MASTER_KEY_STALE' });
    expect((err as Error).message).toContain(k1.id);
    expect((err as Error).message).toContain('TELVAULT_MASTER_KEY_NEXT');
    const names = await store.db.selectFrom('tenants').select('name').execute();
    expect(names.map((n) => n.name)).not.toContain('never');
    // A tenant key rotation through it is refused the same way, and leaves the tenant as it was.
    await expect(rotateTenantKey({ db: store.db, keys: stranger.keys }, t)).rejects.toMatchObject({
      code: 'ERR_MASTER_KEY_STALE',
    });
    expect(await wrappersOf(store.db, t)).toEqual([k1.id]);
  });

  it('a node that holds the next key wraps under the old one until the store promotes it', async () => {
    // TELVAULT_MASTER_KEY=k1, TELVAULT_MASTER_KEY_NEXT=k2: before the promotion, k1.
    const rolling = service({ current: k1, next: k2 });
    const before = await rolling.create('before');
    expect(await wrappersOf(store.db, before)).toEqual([k1.id]);
    // Even a node already switched to TELVAULT_MASTER_KEY=k2 (k1 previous) wraps under k1 now.
    const early = service({ current: k2, previous: k1 });
    expect(await wrappersOf(store.db, await early.create('early'))).toEqual([k1.id]);

    expect(await promoteMasterKey(store.db, k2)).toEqual({
      from: k1.id,
      to: k2.id,
      promoted: true,
    });
    // Same services, no restart: the check is made in each wrap's transaction.
    expect(await wrappersOf(store.db, await rolling.create('after'))).toEqual([k2.id]);
    expect(await wrappersOf(store.db, await early.create('after2'))).toEqual([k2.id]);
    // A rotation through a node that lacks k2 is refused; one through `rolling` is under k2.
    await expect(
      rotateTenantKey({ db: store.db, keys: service({ current: k1 }).keys }, before),
    ).rejects.toMatchObject({ code: 'ERR_MASTER_KEY_STALE' });
    await rotateTenantKey({ db: store.db, keys: rolling.keys }, before);
    expect((await wrappersOf(store.db, before)).sort()).toEqual([k1.id, k2.id].sort());
  });

  it('makes a key current only when every running node declared it', async () => {
    const onlyK2 = await startNodePresence(store.db, { current: k2 });
    const withK3 = await startNodePresence(store.db, { current: k2, next: k3 });
    try {
      const err = await promoteMasterKey(store.db, k3).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'ERR_MASTER_KEY_NOT_DECLARED' });
      expect((err as Error).message).toContain(onlyK2.nodeId);
      expect((err as Error).message).not.toContain(withK3.nodeId);
      expect((err as Error).message).toContain('TELVAULT_MASTER_KEY_NEXT');
      expect(await findCurrentMasterKey(store.db)).toBe(k2.id);
    } finally {
      await onlyK2.stop();
    }
    // The node that did not hold k3 is gone: the promotion goes through.
    try {
      expect((await promoteMasterKey(store.db, k3)).promoted).toBe(true);
    } finally {
      await withK3.stop();
    }
    // A node that does not hold the current key refuses to start, and leaves no declaration.
    await expect(startNodePresence(store.db, { current: k2 })).rejects.toMatchObject({
      code: 'ERR_MASTER_KEY_STALE',
    });
    const nodes = await store.db.selectFrom('master_key_nodes').selectAll().execute();
    expect(nodes).toEqual([]);
    // Back to k2 for the next test (no node is running).
    await promoteMasterKey(store.db, k2);
  });

  it('a node whose heartbeat lapsed during a promotion reports that it lacks the current key', async () => {
    const told: string[] = [];
    const node = await startNodePresence(
      store.db,
      { current: k2 },
      { heartbeatMs: 600_000, onStale: (m) => told.push(m) },
    );
    try {
      // As if it had not been seen for a minute: the promotion does not wait for it.
      await store.db
        .updateTable('master_key_nodes')
        .set({ seen_at: new Date(Date.now() - 60_000).toISOString() })
        .execute();
      await promoteMasterKey(store.db, k1);
      expect(node.stale()).toBe(false);
      await node.beat();
      expect(node.stale()).toBe(true);
      expect(told).toEqual([expect.stringContaining(k1.id) as unknown]);
      // Its wraps are refused meanwhile.
      await expect(service({ current: k2 }).create('x')).rejects.toMatchObject({
        code: 'ERR_MASTER_KEY_STALE',
      });
    } finally {
      await node.stop();
      await promoteMasterKey(store.db, k2);
    }
  });

  it('rotation rewraps keys written meanwhile too, then retires the old master keys', async () => {
    const node = service({ current: k2, next: k3 });
    const creating: Array<Promise<string>> = [];
    // Tenants created while the rotation runs, through a node configured with k2 primary: each
    // is wrapped under the store's current key, k3, never under k2.
    const r = await rotateMasterKey(
      { db: store.db, masterKeys: { current: k3, previous: k2, next: k1 } },
      {
        batchSize: 2,
        onProgress: () => {
          if (creating.length < 6) creating.push(node.create('during'));
        },
      },
    );
    const created = await Promise.all(creating);
    expect(created.length).toBeGreaterThan(1);
    for (const id of created) expect(await wrappersOf(store.db, id)).toEqual([k3.id]);
    expect(r).toMatchObject({ outcome: 'done', remaining: 0 });
    expect(r.retired.sort()).toEqual([k1.id, k2.id].sort());
    const all = await store.db
      .selectFrom('tenant_keys')
      .select('master_key_id')
      .distinct()
      .execute();
    expect(all).toEqual([{ master_key_id: k3.id }]);
    const states = (await listMasterKeys(store.db)).map((m) => [m.id, m.state]);
    expect(new Map(states as Array<[string, string]>)).toEqual(
      new Map([
        [k1.id, 'retired'],
        [k2.id, 'retired'],
        [k3.id, 'current'],
      ]),
    );
  });
});
