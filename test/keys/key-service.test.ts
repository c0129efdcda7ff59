import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeyService, type KeyService } from '../../src/services/keys/key-service.js';
import {
  createTenantService,
  type TenantService,
} from '../../src/services/tenants/tenant-service.js';
import { assertKeysUsable, inspectKeys } from '../../src/services/keys/startup-key-check.js';
import { startTenantKeyRotation } from '../../src/services/keys/rotation/tenant-key-rotation.js';
import { isEnvelope } from '../../src/crypto/index.js';
import { DIALECTS, openTestStore, randomMasterKey, type TestStore } from '../store/harness.js';
import { insertRow, readRow, valuesFor } from '../store/fixtures.js';

describe.each(DIALECTS)('key service on %s', (dialect) => {
  let store: TestStore;
  let keys: KeyService;
  let tenants: TenantService;
  const master = randomMasterKey();

  beforeAll(async () => {
    store = await openTestStore(dialect, 'keys');
    keys = createKeyService({
      db: store.db,
      masterKeys: { current: master },
      cache: { stampCheckMs: 50 },
    });
    await keys.ensureSystemKey();
    tenants = createTenantService({ db: store.db, keys });
  });
  afterAll(async () => {
    await store.close();
  });

  it('provisions a data key and an index key, wrapped by the current master key', async () => {
    const t = await tenants.createTenant({ name: 'Acme' });
    const rows = await store.db
      .selectFrom('tenant_keys')
      .selectAll()
      .where('tenant_id', '=', t.id)
      .orderBy('kind')
      .execute();
    expect(rows.map((r) => [r.kind, r.version, r.state, r.master_key_id])).toEqual([
      ['data', 1, 'primary', master.id],
      ['index', 1, 'primary', master.id],
    ]);
    expect(rows.every((r) => r.wrapped.startsWith('tvk1.'))).toBe(true);
  });

  it('seals and opens a field bound to its tenant, entity, field and record', async () => {
    const a = await tenants.createTenant({ name: 'A' });
    const b = await tenants.createTenant({ name: 'B' });
    const ref = { entity: 'secret', field: 'value', recordId: 'r1' };
    const sealed = await keys.sealField(a.id, ref, 'hunter2');
    expect(isEnvelope(sealed.envelope)).toBe(true);
    expect(sealed.keyVersion).toBe(1);
    expect((await keys.openField(a.id, ref, sealed.envelope)).reveal()).toBe('hunter2');
    await expect(
      keys.openField(a.id, { ...ref, recordId: 'r2' }, sealed.envelope),
    ).rejects.toMatchObject({ code: 'ERR_CRYPTO_DECRYPT_FAILED' });
    await expect(keys.openField(b.id, ref, sealed.envelope)).rejects.toMatchObject({
      code: 'ERR_CRYPTO_KEY_UNKNOWN',
    });
  });

  it('computes blind indexes per tenant and rate-limit keys that differ from them', async () => {
    const a = await tenants.createTenant({ name: 'A' });
    const b = await tenants.createTenant({ name: 'B' });
    const ia = await keys.blindIndex(a.id, '+14155550100', 1);
    expect(ia.version).toBe(1);
    expect((await keys.blindIndex(a.id, '+14155550100', 1)).value).toBe(ia.value);
    expect((await keys.blindIndex(b.id, '+14155550100', 1)).value).not.toBe(ia.value);
    expect(await keys.blindIndexCandidates(a.id, '+14155550100', 1)).toEqual([ia.value]);
    const rl = await keys.rateLimitKey('+14155550100');
    expect(rl).toBe(await keys.rateLimitKey('+14155550100'));
    expect(rl).not.toContain('4155550100');
  });

  it('another node notices a key change through the keyring stamp', async () => {
    const t = await tenants.createTenant({ name: 'Stamp' });
    const other = await store.openAnother();
    const keysB = createKeyService({
      db: other.db,
      masterKeys: { current: master },
      cache: { stampCheckMs: 50 },
    });
    expect(
      (await keysB.sealField(t.id, { entity: 'e', field: 'f', recordId: 'r' }, 'x')).keyVersion,
    ).toBe(1);
    await startTenantKeyRotation({ db: store.db, keys }, t.id);
    await new Promise((r) => setTimeout(r, 80));
    expect(
      (await keysB.sealField(t.id, { entity: 'e', field: 'f', recordId: 'r' }, 'x')).keyVersion,
    ).toBe(2);
    await other.close();
  });

  it('reports key status with rows per version and passes the start-up check', async () => {
    const t = await tenants.createTenant({ name: 'Status' });
    const id = await insertRow(store.db, keys, t.id, 'secrets', valuesFor('secrets', 's'));
    expect(await readRow(store.db, keys, t.id, 'secrets', id)).toEqual(valuesFor('secrets', 's'));
    const status = await keys.keyStatus();
    const mine = status.tenants.find((x) => x.tenantId === t.id);
    expect(mine?.keys.map((k) => [k.kind, k.version, k.state, k.rows])).toEqual([
      ['data', 1, 'primary', 1],
      ['index', 1, 'primary', 0],
    ]);
    // The system key (rate limits, idempotency) and the leak check's fingerprint key.
    expect(status.system.map((k) => k.kind)).toEqual(['fingerprint', 'system']);
    expect(status.masterKeyIds).toEqual([master.id]);
    await expect(assertKeysUsable(store.db, { current: master })).resolves.toBeUndefined();
  });

  it('refuses to serve when a key in use is missing or its master key is not configured', async () => {
    const t = await tenants.createTenant({ name: 'Broken' });
    await insertRow(store.db, keys, t.id, 'secrets', valuesFor('secrets', 'b'));
    const stranger = randomMasterKey();
    const err = await assertKeysUsable(store.db, { current: stranger }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ERR_KEYS_MISSING' });
    expect(String((err as Error).message)).toContain(
      `tenant ${t.id} data key v1: master-key-unknown`,
    );
    // A missing key row is named too.
    await store.db
      .deleteFrom('tenant_keys')
      .where('tenant_id', '=', t.id)
      .where('kind', '=', 'data')
      .execute();
    const res = await inspectKeys(store.db, { current: master });
    expect(res.problems).toContainEqual({
      tenantId: t.id,
      kind: 'data',
      version: 1,
      problem: 'missing',
    });
    await store.db.deleteFrom('key_usage').where('tenant_id', '=', t.id).execute();
  });

  it("an envelope under one of the tenant's own key versions that is gone is ERR_TENANT_KEYS_UNAVAILABLE", async () => {
    const t = await tenants.createTenant({ name: 'Lost version' });
    const ref = { entity: 'secret', field: 'value', recordId: 'r1' };
    const sealed = await keys.sealField(t.id, ref, 'v1 value');
    await startTenantKeyRotation({ db: store.db, keys }, t.id); // v2 primary, v1 decrypt-only
    await store.db
      .deleteFrom('tenant_keys')
      .where('tenant_id', '=', t.id)
      .where('kind', '=', 'data')
      .where('version', '=', 1)
      .execute();
    keys.forgetTenant(t.id);
    await expect(keys.openField(t.id, ref, sealed.envelope)).rejects.toMatchObject({
      code: 'ERR_TENANT_KEYS_UNAVAILABLE',
    });
    // Keys that do load still seal: the tenant is broken only for what needs the lost version.
    expect((await keys.sealField(t.id, ref, 'new')).keyVersion).toBe(2);
  });

  it('rejects an empty tenant name naming the field', async () => {
    await expect(tenants.createTenant({ name: '  ' })).rejects.toMatchObject({
      code: 'ERR_VALIDATION',
      message: expect.stringContaining('name') as unknown,
    });
  });
});
