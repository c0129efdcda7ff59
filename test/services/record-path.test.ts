// The one encrypted-record path, through the services that use it: values written by each service
// read back through the same service after a data-key and a master-key rotation (so a service
// whose envelope context drifted from the registry's, which rotation uses, would fail here); and
// the path's own rules: one key version per row, kept envelopes re-sealed, blind indexes with
// their versions, conditional updates, key_usage kept exact.
import { sql } from 'kysely';
import type { TenantId } from '../../src/crypto/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices, type Services } from '../../src/app/services.js';
import { Secret } from '../../src/crypto/secret.js';
import { envelopeKeyId } from '../../src/crypto/index.js';
import type { Actor } from '../../src/services/audit/actor.js';
import { PROVIDER_SPECS, type Provider } from '../../src/services/credentials/providers.js';
import { createKeyService, type KeyService } from '../../src/services/keys/key-service.js';
import { rotateMasterKey } from '../../src/services/keys/rotation/master-key-rotation.js';
import {
  rotateTenantKey,
  startTenantKeyRotation,
} from '../../src/services/keys/rotation/tenant-key-rotation.js';
import { createEncryptedRecords } from '../../src/services/records/index.js';
import { secretInput } from '../../src/services/secrets/secret-service.js';
import { listKeyUsage } from '../../src/store/key-usage-repo.js';
import { DIALECTS, openTestStore, randomMasterKey, type TestStore } from '../store/harness.js';

const actor: Actor = { kind: 'cli' };

const hex32 = (c: string) => c.repeat(32);
const BODIES: Record<Provider, Record<string, string>> = {
  twilio: {
    accountSid: `AC${hex32('a')}`,
    authToken: hex32('b'),
    apiKeySid: `SK${hex32('c')}`,
    apiKeySecret: 'CANARY-twilio-api-key-secret-0001',
    defaultFrom: '+61491570006',
  },
  sendgrid: { apiKey: 'SG.CANARY-sendgrid-key-00000001', fromEmail: 'ops@example.com' },
  retell: { apiKey: 'key_CANARY-retell-00000001' },
  exotel: {
    apiKey: 'CANARY-exotel-key-0001',
    apiToken: 'CANARY-exotel-token-0001',
    sid: 'acme1',
    subdomain: 'api.in.exotel.com',
  },
};
const SECRETS = { 'db-password': 'CANARY-named-secret-0001', 'webhook.key': 'ünïcödé 😀 CANARY' };

const parseBody = (p: Provider, body: unknown) => PROVIDER_SPECS[p].body.parse(body);

async function expectEverythingReadsBack(services: Services, tenantId: TenantId): Promise<void> {
  for (const [provider, body] of Object.entries(BODIES) as [Provider, Record<string, string>][]) {
    const used = await services.credentials.use(tenantId, provider, 'test.read', actor);
    const spec = PROVIDER_SPECS[provider];
    for (const f of [...spec.secretFields, ...spec.phoneFields]) {
      expect(used.secrets[f]?.reveal(), `${provider}.${f}`).toBe(body[f]);
    }
    for (const f of spec.publicFields) expect(used.public[f]).toBe(body[f]);
  }
  for (const [name, value] of Object.entries(SECRETS)) {
    expect((await services.secrets.reveal(tenantId, name, actor)).reveal()).toBe(value);
  }
  expect(await services.credentials.list(tenantId, true)).toHaveLength(4);
  expect((await services.secrets.list(tenantId)).map((s) => s.name)).toEqual(Object.keys(SECRETS));
}

async function keyVersions(store: TestStore, tenantId: TenantId): Promise<number[]> {
  const r = await sql<{ v: number }>`select key_version as v from credentials
    where tenant_id = ${tenantId} union all
    select key_version as v from secrets where tenant_id = ${tenantId}`.execute(store.db);
  return [...new Set(r.rows.map((x) => Number(x.v)))].sort();
}

describe.each(DIALECTS)('the encrypted-record path on %s', (dialect) => {
  let store: TestStore;
  const oldMaster = randomMasterKey();
  const newMaster = randomMasterKey();
  let keys: KeyService;
  let services: Services;
  let tenantId: TenantId;

  beforeAll(async () => {
    store = await openTestStore(dialect, 'records');
    keys = createKeyService({ db: store.db, masterKeys: { current: oldMaster } });
    await keys.ensureSystemKey();
    services = createServices({ db: store.db, dialect, keys, rootTokenHash: undefined });
    tenantId = (await services.tenants.create('records', actor)).id;
  });
  afterAll(async () => {
    await store.close();
  });

  it('re-seals kept envelopes so a row stays under one key version', async () => {
    const t = (await services.tenants.create('reseal', actor)).id;
    await services.credentials.put(t, 'exotel', parseBody('exotel', BODIES.exotel), actor);
    // A new primary version, rows not yet re-encrypted: a write sending one secret re-seals the
    // other (kept) one under the new version too.
    await startTenantKeyRotation({ db: store.db, keys }, t);
    keys.forgetTenant(t);
    const apiToken = 'CANARY-exotel-token-0002';
    await services.credentials.put(t, 'exotel', parseBody('exotel', { apiToken }), actor);
    const row = await store.db
      .selectFrom('credentials')
      .selectAll()
      .where('tenant_id', '=', t)
      .executeTakeFirstOrThrow();
    expect(row.key_version).toBe(2);
    const envs = Object.values(JSON.parse(row.secrets_json) as Record<string, string>);
    expect(new Set(envs.map(envelopeKeyId)).size).toBe(1);
    const used = await services.credentials.use(t, 'exotel', 'test.read', actor);
    expect(used.secrets['apiKey']?.reveal()).toBe(BODIES.exotel['apiKey']);
    expect(used.secrets['apiToken']?.reveal()).toBe(apiToken);
    const usage = await listKeyUsage(store.db, t);
    expect(usage.filter((u) => u.kind === 'data' && u.rows > 0)).toEqual([
      expect.objectContaining({ version: 2, rows: 1 }),
    ]);
  });

  it('changing an account without its secret names the secret and changes nothing', async () => {
    const t = (await services.tenants.create('identity', actor)).id;
    await services.credentials.put(t, 'twilio', parseBody('twilio', BODIES.twilio), actor);
    const other = { accountSid: `AC${hex32('e')}` };
    await expect(
      services.credentials.put(t, 'twilio', parseBody('twilio', other), actor),
    ).rejects.toMatchObject({
      code: 'ERR_VALIDATION',
      message: expect.stringMatching(
        /^authToken: is required when accountSid changes.*apiKeySecret: is required when accountSid changes/,
      ) as unknown,
    });
    const exo = { sid: 'acme2' };
    await services.credentials.put(t, 'exotel', parseBody('exotel', BODIES.exotel), actor);
    await expect(
      services.credentials.put(t, 'exotel', parseBody('exotel', exo), actor),
    ).rejects.toMatchObject({
      code: 'ERR_VALIDATION',
      message: expect.stringContaining('apiKey: is required when sid changes') as unknown,
    });
    // Sending the new account's secrets (or clearing the old ones) is accepted.
    const apiKeySecret = 'CANARY-twilio-api-key-secret-0002';
    const ok = { accountSid: other.accountSid, authToken: hex32('f'), apiKeySecret };
    await services.credentials.put(t, 'twilio', parseBody('twilio', ok), actor);
    const used = await services.credentials.use(t, 'twilio', 'test.read', actor);
    expect(used.public['accountSid']).toBe(other.accountSid);
    expect(used.secrets['authToken']?.reveal()).toBe(hex32('f'));
    // The same account sent again is not a change.
    await services.credentials.put(
      t,
      'twilio',
      parseBody('twilio', { accountSid: other.accountSid }),
      actor,
    );
  });

  it('writes blind indexes with their version, and JSON-map fields by the registry', async () => {
    const records = createEncryptedRecords({ db: store.db, keys, audit: services.audit });
    const t = (await services.tenants.create('phones', actor)).id;
    const number = new Secret('+61491570156');
    const written = await records.write({
      table: 'phones',
      tenantId: t,
      key: { id: 'p-1' },
      plan: () => ({
        seal: { number, 'exotel.apiToken': new Secret('CANARY-phone-token') },
        keep: [],
        blindIndex: { normalized: number, normalizerVersion: 1 },
        columns: { label: 'front desk' },
        audit: { actor, action: 'phone.write', target: 'phone:p-1' },
      }),
    });
    const row = await store.db
      .selectFrom('phones')
      .selectAll()
      .where('id', '=', written.row.id)
      .executeTakeFirstOrThrow();
    const expected = await keys.blindIndex(t, '+61491570156', 1);
    expect(row).toMatchObject({
      number_bidx: expected.value,
      bidx_version: 1,
      label: 'front desk',
    });
    expect(Object.keys(JSON.parse(row.exotel_secrets_json ?? '{}') as object)).toEqual([
      'apiToken',
    ]);
    expect((await records.open('phones', t, written, 'exotel.apiToken'))?.reveal()).toBe(
      'CANARY-phone-token',
    );
    const usage = await listKeyUsage(store.db, t);
    expect(usage.find((u) => u.kind === 'index' && u.version === 1)?.rows).toBe(1);
    expect(usage.find((u) => u.kind === 'data' && u.version === 1)?.rows).toBe(1);
    await records.remove({
      table: 'phones',
      tenantId: t,
      key: { id: written.row.id },
      audit: { actor, action: 'phone.delete', target: 'phone:p-1' },
      notFound: 'phone not found',
    });
    const gone = await listKeyUsage(store.db, t);
    expect(gone.filter((u) => u.rows !== 0)).toEqual([]);
  });

  it('a conditional update writes only while its condition holds', async () => {
    const records = createEncryptedRecords({ db: store.db, keys, audit: services.audit });
    const t = (await services.tenants.create('trunks', actor)).id;
    const plan = (password: string, expect?: Record<string, number>) => () => ({
      seal: { password: new Secret(password) },
      keep: [],
      columns: { state: 'credential-created', twilio_account_sid: `AC${hex32('a')}` },
      audit: { actor, action: 'trunk.step', target: 'trunk' },
      ...(expect === undefined ? {} : { expect }),
    });
    const first = await records.write({
      table: 'sip_trunks',
      tenantId: t,
      key: { id: 'tr-1' },
      plan: plan('CANARY-sip-1'),
    });
    expect(first.row['row_version']).toBe(0);
    const second = await records.write({
      table: 'sip_trunks',
      tenantId: t,
      key: { id: first.row.id },
      plan: plan('CANARY-sip-2', { row_version: 0 }),
    });
    expect(second.row['row_version']).toBe(1);
    // A holder of the old row_version (its lease lost) is refused, not retried, and nothing moves.
    await expect(
      records.write({
        table: 'sip_trunks',
        tenantId: t,
        key: { id: first.row.id },
        plan: plan('CANARY-sip-3', { row_version: 0 }),
      }),
    ).rejects.toMatchObject({ code: 'ERR_RECORD_CONDITION_FAILED' });
    const now = await records.find('sip_trunks', t, { id: first.row.id });
    expect(now?.row['row_version']).toBe(1);
    expect((await records.open('sip_trunks', t, now!, 'password'))?.reveal()).toBe('CANARY-sip-2');
    // Re-encryption bumps row_version, so a writer planning from before it notices.
    await rotateTenantKey({ db: store.db, keys }, t);
    const rotated = await records.find('sip_trunks', t, { id: first.row.id });
    expect(rotated?.row['row_version']).toBe(2);
    await expect(
      records.write({
        table: 'sip_trunks',
        tenantId: t,
        key: { id: first.row.id },
        plan: plan('CANARY-sip-4', { row_version: 1 }),
      }),
    ).rejects.toMatchObject({ code: 'ERR_RECORD_CONDITION_FAILED' });
  });
  // Last: it moves the store to another master key, which the services above no longer hold.
  it('writes through each service, rotates data and master keys, reads back through it', async () => {
    for (const [provider, body] of Object.entries(BODIES) as [Provider, object][]) {
      await services.credentials.put(tenantId, provider, parseBody(provider, body), actor);
    }
    // A partial update keeps the sealed fields it does not name.
    const twimlAppSid = `AP${hex32('d')}`;
    await services.credentials.put(tenantId, 'twilio', parseBody('twilio', { twimlAppSid }), actor);
    BODIES.twilio['twimlAppSid'] = twimlAppSid;
    for (const [name, value] of Object.entries(SECRETS)) {
      await services.secrets.put(tenantId, name, secretInput.parse({ value }), actor);
    }
    await expectEverythingReadsBack(services, tenantId);
    expect(await keyVersions(store, tenantId)).toEqual([1]);

    expect((await rotateTenantKey({ db: store.db, keys }, tenantId)).outcome).toBe('done');
    expect(await keyVersions(store, tenantId)).toEqual([2]);
    await expectEverythingReadsBack(services, tenantId);

    const rotated = await rotateMasterKey({
      db: store.db,
      masterKeys: { current: newMaster, previous: oldMaster },
    });
    expect(rotated).toMatchObject({ outcome: 'done', remaining: 0 });
    // A node with only the new master key: nothing cached, every key unwrapped anew.
    const fresh = createKeyService({ db: store.db, masterKeys: { current: newMaster } });
    const after = createServices({ db: store.db, dialect, keys: fresh, rootTokenHash: undefined });
    await expectEverythingReadsBack(after, tenantId);
  });
});
