// The leak check's fingerprints, on SQLite and PostgreSQL: written with the secret by the record
// path, replaced when the secret changes, gone with the field, the row and the tenant, never for a
// value under 16 characters, still matching after a master-key rotation; the check answers
// matches only, and its audit event holds counts only.
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices } from '../../src/app/services.js';
import { Secret, type MasterKey, type TenantId } from '../../src/crypto/index.js';
import { parseCredentialInput } from '../../src/services/credentials/index.js';
import { createKeyService } from '../../src/services/keys/key-service.js';
import { rotateMasterKey } from '../../src/services/keys/rotation/master-key-rotation.js';
import { createLeakCheckService } from '../../src/services/leak-check/index.js';
import { backfillSecretFingerprints } from '../../src/services/records/index.js';
import { parseSecretInput } from '../../src/services/secrets/secret-service.js';
import { DIALECTS, openTestStore, randomMasterKey, type TestStore } from '../store/harness.js';

const ACTOR = { kind: 'system', name: 'leak-check-test' } as const;
const hex = (n: number) => randomBytes(n).toString('hex');

describe.each(DIALECTS)('leak check on %s', (dialect) => {
  let store: TestStore;
  let master: MasterKey;
  let services: ReturnType<typeof createServices>;
  let tenant: TenantId;
  let other: TenantId;

  function open(masterKeys: { current: MasterKey; previous?: MasterKey }) {
    const keys = createKeyService({ db: store.db, masterKeys });
    services = createServices({ db: store.db, dialect, keys, rootTokenHash: undefined });
    return createLeakCheckService({ db: store.db, keys, audit: services.audit });
  }
  let leak: ReturnType<typeof open>;
  const check = (...values: string[]) =>
    leak.check(
      values.map((v) => new Secret(v)),
      { kind: 'root' } as const,
    );

  beforeAll(async () => {
    store = await openTestStore(dialect, 'leak');
    master = randomMasterKey();
    leak = open({ current: master });
    await services.keys.ensureSystemKey();
    tenant = (await services.tenants.create('leaky', ACTOR)).id;
    other = (await services.tenants.create('other', ACTOR)).id;
  });
  afterAll(async () => {
    await store.close();
  });

  const twilio = (authToken: string) =>
    parseCredentialInput('twilio', { accountSid: `AC${hex(16)}`, authToken });

  it('finds a stored credential by its value, in its tenant, and nothing for other values', async () => {
    const token = hex(16);
    await services.credentials.put(tenant, 'twilio', twilio(token), ACTOR);
    const r = await check(hex(16), token, `SG.${hex(30)}`);
    expect(r).toEqual({
      checked: 3,
      skipped: 0,
      matches: [
        {
          index: 1,
          tenantId: tenant,
          provider: 'twilio',
          entity: 'credential',
          field: 'authToken',
        },
      ],
    });
    // The stored fingerprint is not the value, nor any part of it.
    const rows = await store.db.selectFrom('secret_fingerprints').selectAll().execute();
    expect(JSON.stringify(rows)).not.toContain(token.slice(0, 8));
  });

  it('keys fingerprints with a key of their own, wrapped by the master key, keying nothing else', async () => {
    const token = hex(16);
    await services.credentials.put(tenant, 'twilio', twilio(token), ACTOR);
    const key = await store.db
      .selectFrom('tenant_keys')
      .selectAll()
      .where('kind', '=', 'fingerprint')
      .executeTakeFirstOrThrow();
    expect(key).toMatchObject({ tenant_id: null, version: 1, state: 'primary' });
    expect(key.wrapped).toMatch(/^tvk1\./);
    const rows = await store.db
      .selectFrom('secret_fingerprints')
      .selectAll()
      .where('tenant_id', '=', tenant)
      .execute();
    const fingerprints = rows.map((r) => r.fingerprint);
    expect(fingerprints).toContain(await services.keys.secretFingerprint(token));
    expect(fingerprints.every((f) => f.startsWith('fp1.'))).toBe(true);
    // Not the system key's hash of the same value (a rate-limit key), nor the value.
    expect(fingerprints).not.toContain(await services.keys.rateLimitKey(token));
    expect(JSON.stringify(rows)).not.toContain(token);
  });

  it('replaces the fingerprint when the secret changes, and drops it with the field and row', async () => {
    const first = hex(16);
    const second = hex(16);
    const sg = (apiKey: string) =>
      parseCredentialInput('sendgrid', { apiKey, fromEmail: 'a@example.com' });
    await services.credentials.put(other, 'sendgrid', sg(`SG.${first}`), ACTOR);
    await services.credentials.put(other, 'sendgrid', sg(`SG.${second}`), ACTOR);
    const r = await check(`SG.${first}`, `SG.${second}`);
    expect(r.matches).toEqual([
      { index: 1, tenantId: other, provider: 'sendgrid', entity: 'credential', field: 'apiKey' },
    ]);
    await services.credentials.remove(other, 'sendgrid', ACTOR);
    expect((await check(`SG.${second}`)).matches).toEqual([]);
  });

  it('never fingerprints (nor looks up) a value under 16 characters', async () => {
    const weak = 'hunter2hunter2'; // 14
    const strong = `pw-${hex(12)}`;
    await services.secrets.put(tenant, 'weak', parseSecretInput({ value: weak }), ACTOR);
    await services.secrets.put(tenant, 'strong', parseSecretInput({ value: strong }), ACTOR);
    const r = await check(weak, strong);
    expect(r.skipped).toBe(1);
    expect(r.matches).toEqual([
      { index: 1, tenantId: tenant, provider: 'secret', entity: 'secret', field: 'value' },
    ]);
  });

  it('audits counts only', async () => {
    const canary = `canary-${hex(12)}`;
    await check(canary);
    const events = await store.db
      .selectFrom('audit_events')
      .selectAll()
      .where('action', '=', 'leak.check')
      .execute();
    expect(events.length).toBeGreaterThan(0);
    expect(JSON.parse(events.at(-1)?.detail_json ?? '{}')).toEqual({
      candidates: 1,
      skipped: 0,
      matches: 0,
    });
    const all = await sql<Record<string, unknown>>`select * from audit_events`.execute(store.db);
    expect(JSON.stringify(all.rows)).not.toContain(canary);
  });

  it('still matches after a master-key rotation (the key is rewrapped, not changed)', async () => {
    const token = hex(16);
    await services.credentials.put(tenant, 'twilio', twilio(token), ACTOR);
    const next = randomMasterKey();
    await rotateMasterKey({ db: store.db, masterKeys: { current: next, previous: master } });
    leak = open({ current: next });
    expect((await check(token)).matches).toHaveLength(1);
  });

  it('backfills the fingerprints of secrets stored without one, once', async () => {
    const token = hex(16);
    await services.credentials.put(tenant, 'twilio', twilio(token), ACTOR);
    // As a row written before migration 011: no fingerprint.
    await store.db.deleteFrom('secret_fingerprints').where('tenant_id', '=', tenant).execute();
    expect((await check(token)).matches).toEqual([]);
    const keys = services.keys; // after the master-key rotation above
    const first = await backfillSecretFingerprints({ db: store.db, keys });
    expect(first.added).toBeGreaterThanOrEqual(2); // the auth token and the 16+ named secret
    expect((await check(token)).matches).toEqual([
      { index: 0, tenantId: tenant, provider: 'twilio', entity: 'credential', field: 'authToken' },
    ]);
    expect((await backfillSecretFingerprints({ db: store.db, keys })).added).toBe(0);
  });

  it('creates the system key for a library user who never did, instead of failing the write', async () => {
    const fresh = await openTestStore(dialect, 'leak-fresh');
    try {
      const keys = createKeyService({ db: fresh.db, masterKeys: { current: randomMasterKey() } });
      const lib = createServices({ db: fresh.db, dialect, keys, rootTokenHash: undefined });
      const t = (await lib.tenants.create('lib', ACTOR)).id;
      const token = hex(16);
      await lib.credentials.put(t, 'twilio', twilio(token), ACTOR);
      const found = await createLeakCheckService({ db: fresh.db, keys, audit: lib.audit }).check(
        [new Secret(token)],
        { kind: 'root' },
      );
      expect(found.matches).toHaveLength(1);
    } finally {
      await fresh.close();
    }
  });

  it('goes with the tenant', async () => {
    const token = hex(16);
    const doomed = (await services.tenants.create('doomed', ACTOR)).id;
    await services.credentials.put(doomed, 'twilio', twilio(token), ACTOR);
    expect((await check(token)).matches).toHaveLength(1);
    await services.tenants.remove(doomed, ACTOR);
    expect((await check(token)).matches).toEqual([]);
    const left = await store.db
      .selectFrom('secret_fingerprints')
      .select('tenant_id')
      .where('tenant_id', '=', doomed)
      .execute();
    expect(left).toEqual([]);
  });
});
