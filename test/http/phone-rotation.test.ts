// Phones under key rotation, through the real server: a duplicate typed another way is refused
// while an index-key rotation runs (the stored index is under the old key, the new one under the
// new key: the unique constraint alone would let it in), lookups work meanwhile, and after the
// data key and the index key are rotated every phone is found by its number and reads back whole.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asTenantId } from '../../src/crypto/index.js';
import {
  rotateIndexKey,
  rotateTenantKey,
  startIndexKeyRotation,
} from '../../src/services/keys/rotation/index.js';
import { DIALECTS, startTestServer, type HttpResult, type TestServer } from '../support/server.js';
import { phoneBody } from './fixtures.js';

const err = (r: HttpResult) => (r.json as { error: { code: string; message: string } }).error;

describe.each(DIALECTS)('phones under key rotation on %s', (dialect) => {
  let s: TestServer;
  let t = asTenantId('unset');
  let token = '';
  const phones: { number: string; view: unknown }[] = [];
  const deps = () => ({ db: s.server.database.db, keys: s.server.services.keys });

  beforeAll(async () => {
    s = await startTestServer(dialect, { logLevel: 'silent' });
    t = await s.createTenant('rotating');
    token = await s.mintToken(t, ['phones:read', 'phones:write']);
    for (let i = 0; i < 6; i++) {
      const body = phoneBody();
      const r = await s.request('POST', `/v1/tenants/${t}/phones`, { token, body });
      expect(r.status, r.text).toBe(201);
      phones.push({ number: String(body['number']), view: r.json });
    }
  });
  afterAll(async () => {
    await s.close();
  });

  const lookup = (number: string) =>
    s.request('POST', `/v1/tenants/${t}/phones/lookup`, { token, body: { number } });

  it('refuses a duplicate under the new index key while the rotation runs, and finds both meanwhile', async () => {
    const first = phones[0];
    if (first === undefined) throw new Error('no phone');
    const before = await s.server.database.db
      .selectFrom('phones')
      .select(['number_bidx'])
      .where('tenant_id', '=', t)
      .execute();
    expect(before.every((r) => r.number_bidx.startsWith('bi1.k1.'))).toBe(true);
    await startIndexKeyRotation(deps(), t);
    // New writes are indexed under key 2 now; the stored phones are still under key 1.
    const fresh = phoneBody();
    const created = await s.request('POST', `/v1/tenants/${t}/phones`, { token, body: fresh });
    expect(created.status).toBe(201);
    phones.push({ number: String(fresh['number']), view: created.json });
    const bidx = await s.server.database.db
      .selectFrom('phones')
      .select('number_bidx')
      .where('id', '=', (created.json as { id: string }).id)
      .executeTakeFirstOrThrow();
    expect(bidx.number_bidx.startsWith('bi1.k2.')).toBe(true);
    // The same number as phone 0, typed nationally: its new index differs from the stored one.
    const national = `0${first.number.slice(3)}`;
    const dup = await s.request('POST', `/v1/tenants/${t}/phones`, {
      token,
      body: { number: national, country: 'AU', provider: 'twilio' },
    });
    expect(dup.status, dup.text).toBe(409);
    expect(err(dup).code).toBe('ERR_PHONE_EXISTS');
    // And the phone written under key 2 is refused again typed another way.
    const dup2 = await s.request('POST', `/v1/tenants/${t}/phones`, {
      token,
      body: { number: `0${String(fresh['number']).slice(3)}`, country: 'AU', provider: 'twilio' },
    });
    expect(dup2.status).toBe(409);
    for (const p of phones) {
      const r = await lookup(p.number);
      expect(r.status).toBe(200);
      expect(r.json).toEqual(p.view);
    }
    const r = await rotateIndexKey(deps(), t, { batchSize: 2 });
    expect(r.outcome).toBe('done');
  });

  it('finds every phone by number and reads it back after the data key and the index key rotate', async () => {
    const data = await rotateTenantKey(deps(), t, { batchSize: 3 });
    expect(data.outcome).toBe('done');
    const idx = await rotateIndexKey(deps(), t, { batchSize: 3 });
    expect(idx).toMatchObject({ toVersion: 3, outcome: 'done' });
    const rows = await s.server.database.db
      .selectFrom('phones')
      .select(['number_bidx', 'bidx_version', 'key_version'])
      .where('tenant_id', '=', t)
      .execute();
    expect(rows.length).toBe(phones.length);
    expect(rows.every((x) => x.number_bidx.startsWith('bi1.k3.') && x.bidx_version === 3)).toBe(
      true,
    );
    expect(rows.every((x) => Number(x.key_version) === 2)).toBe(true);
    for (const p of phones) {
      const id = (p.view as { id: string }).id;
      const found = await lookup(p.number);
      expect(found.status).toBe(200);
      expect(found.json).toEqual(p.view);
      expect((await s.request('GET', `/v1/tenants/${t}/phones/${id}`, { token })).json).toEqual(
        p.view,
      );
    }
    // Writes after the rotations still refuse a duplicate, and a patch keeps the number.
    const first = phones[0];
    const dup = await s.request('POST', `/v1/tenants/${t}/phones`, {
      token,
      body: { number: first?.number, provider: 'exotel' },
    });
    expect(dup.status).toBe(409);
  });
});
