// Phones through the real server on SQLite and PostgreSQL: create with normalization and the
// tenant's settings, views (E.164 to the tenant, masked to root, never a key or token), partial
// PATCH, delete, cursor pagination and filters, lookup in several formats, cross-tenant 404s,
// 409 for a number typed another way, audit without values, and nothing in the clear at rest.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asTenantId } from '../../src/crypto/index.js';
import { maskPhones } from '../../src/services/common/index.js';
import { normalizePhoneNumber } from '../../src/services/phones/index.js';
import { sqliteFilePath } from '../../src/store/sqlite-dialect.js';
import { POSTGRES_ADMIN_URL } from '../support/postgres.js';
import { DIALECTS, startTestServer, type HttpResult, type TestServer } from '../support/server.js';
import { randomPhoneNumber } from './fixtures.js';

const err = (r: HttpResult) => (r.json as { error: { code: string; message: string } }).error;
const hex = (n: number): string => randomBytes(n).toString('hex').slice(0, n);

interface Phone {
  id: string;
  number: string;
  country: string;
  numberType: string;
  label: string | null;
  tags: string[];
  provider: string;
  exotel: null | { sid: string; subdomain: string; apiKey: unknown; apiToken: unknown };
  retell: { inboundAgentId: string | null; outboundAgentId: string | null };
}

describe.each(DIALECTS)('phones on %s', (dialect) => {
  let s: TestServer;
  let t = asTenantId('unset');
  let other = asTenantId('unset');
  let token = '';
  let foreign = '';
  const base = () => `/v1/tenants/${t}/phones`;
  /** Every number created (national significant numbers) and every Exotel secret, for the raw scan. */
  const planted: string[] = [];
  const exotel = () => {
    const e = {
      apiKey: `CANARYphoneKey${hex(16)}`,
      apiToken: `CANARYphoneToken${hex(20)}`,
      sid: 'acme1',
      subdomain: 'api.in.exotel.com',
    };
    planted.push(e.apiKey, e.apiToken);
    return e;
  };
  const create = async (body: Record<string, unknown>, as = token): Promise<HttpResult> => {
    const r = await s.request('POST', base(), { token: as, body });
    if (r.status === 201 && typeof body['number'] === 'string') {
      const n = normalizePhoneNumber(body['number'], {
        defaultCountry: (body['country'] as string | undefined) ?? 'AU',
      });
      planted.push(n.nationalNumber);
    }
    return r;
  };

  beforeAll(async () => {
    s = await startTestServer(dialect, { logLevel: 'silent' });
    t = await s.createTenant('phones');
    other = await s.createTenant('other');
    token = await s.mintToken(t, ['phones:read', 'phones:write']);
    foreign = await s.mintToken(other, ['phones:read', 'phones:write']);
  });
  afterAll(async () => {
    await s.close();
  });

  it('creates a phone: E.164 to the tenant, masked to root, keys and tokens only as set/last4', async () => {
    const e = exotel();
    const r = await create({
      number: '0401 148 075',
      country: 'AU',
      label: 'Sydney desk',
      tags: ['sales', 'au'],
      provider: 'exotel',
      exotel: e,
      retell: { inboundAgentId: 'agent_in1' },
    });
    expect(r.status, r.text).toBe(201);
    const p = r.json as Phone;
    expect(p).toMatchObject({
      number: '+61401148075',
      country: 'AU',
      numberType: 'MOBILE',
      label: 'Sydney desk',
      tags: ['sales', 'au'],
      provider: 'exotel',
      exotel: {
        sid: 'acme1',
        subdomain: 'api.in.exotel.com',
        apiKey: { set: true, last4: e.apiKey.slice(-4) },
        apiToken: { set: true, last4: e.apiToken.slice(-4) },
      },
      retell: { inboundAgentId: 'agent_in1', outboundAgentId: null },
    });
    expect(r.text).not.toContain(e.apiKey.slice(0, -4));
    expect(r.text).not.toContain(e.apiToken.slice(0, -4));
    const mine = await s.request('GET', `${base()}/${p.id}`, { token });
    expect(mine.json).toEqual(p);
    const asRoot = await s.request('GET', `${base()}/${p.id}`, { token: s.rootToken });
    expect(asRoot.status).toBe(200);
    expect((asRoot.json as Phone).number).not.toBe('+61401148075');
    // Masked as the logger masks numbers (its format is the logger's to choose).
    expect((asRoot.json as Phone).number).toBe(maskPhones('+61401148075'));
    expect((asRoot.json as Phone).number).toContain('*');
    expect(asRoot.text).not.toContain('401148075');
  });

  it('reads a national number with the tenant default region, and refuses one without any', async () => {
    const number = '0412 345 678';
    const none = await create({ number, provider: 'twilio' });
    expect(none.status).toBe(400);
    expect(err(none)).toEqual({
      code: 'ERR_PHONE_INVALID',
      message: 'number: region required for a national number',
      requestId: expect.any(String) as string,
    });
    await s.request('PATCH', `/v1/tenants/${t}/settings`, {
      token: s.rootToken,
      body: { defaultCountry: 'AU' },
    });
    const ok = await create({ number, provider: 'twilio' });
    expect(ok.status, ok.text).toBe(201);
    expect(ok.json).toMatchObject({
      number: '+61412345678',
      exotel: null,
      tags: [],
      label: null,
      retell: { inboundAgentId: null, outboundAgentId: null },
    });
    // The request's country wins over the tenant's: a US number typed nationally.
    const us = await create({ number: '(415) 555-0100', country: 'US', provider: 'retell' });
    expect(us.status, us.text).toBe(201);
    expect((us.json as Phone).number).toBe('+14155550100');
  });

  it('refuses invalid numbers, disallowed types and broken Exotel accounts with 400, writing nothing', async () => {
    const count = async () =>
      (await s.server.database.db.selectFrom('phones').select('id').execute()).length;
    const before = await count();
    const cases: [Record<string, unknown>, string, string][] = [
      [
        { number: '4011480751', country: 'US' },
        'ERR_PHONE_INVALID',
        'number: not a valid number for US',
      ],
      [{ number: '+14155550100 ext. 12' }, 'ERR_PHONE_INVALID', 'number: extension not allowed'],
      [
        { number: '+1 900 555 0100' },
        'ERR_PHONE_TYPE_NOT_ALLOWED',
        'number: premium-rate numbers are not allowed',
      ],
      [{ number: '' }, 'ERR_VALIDATION', 'number: must not be empty'],
      [{ number: 614011 }, 'ERR_VALIDATION', 'number: is required and must be a string'],
      [{ number: '+61412345679', country: 'Australia' }, 'ERR_VALIDATION', 'country: must be'],
      [
        { number: '+61412345679', provider: 'vonage' },
        'ERR_VALIDATION',
        'provider: must be one of',
      ],
      [
        { number: '+61412345679', exotel: { apiKey: 'k'.repeat(20), sid: 'a' } },
        'ERR_VALIDATION',
        'exotel.apiToken:',
      ],
      [
        { number: '+61412345679', exotel: { ...exotel(), subdomain: 'evil.example.com' } },
        'ERR_VALIDATION',
        'exotel.subdomain: must be one of api.exotel.com, api.in.exotel.com',
      ],
      [{ number: '+61412345679', tags: ['Sales'] }, 'ERR_VALIDATION', 'tags.0: must be 1 to 64'],
      [{ number: '+61412345679', tags: ['a', 'a'] }, 'ERR_VALIDATION', 'tags: must not repeat'],
      [{ number: '+61412345679', secret: 1 }, 'ERR_VALIDATION', 'secret: unknown field'],
    ];
    for (const [body, code, message] of cases) {
      const r = await s.request('POST', base(), {
        token,
        body: { provider: 'exotel', ...body },
      });
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(err(r).code, JSON.stringify(body)).toBe(code);
      expect(err(r).message, JSON.stringify(body)).toContain(message);
    }
    expect(await count()).toBe(before);
  });

  it('changes only what a PATCH sends; null clears; number, country and provider are refused by name', async () => {
    const created = (
      await create({
        number: randomPhoneNumber(),
        provider: 'exotel',
        label: 'l1',
        tags: ['x'],
        exotel: exotel(),
        retell: { inboundAgentId: 'agent_a', outboundAgentId: 'agent_b' },
      })
    ).json as Phone;
    const url = `${base()}/${created.id}`;
    const patch = (body: unknown) => s.request('PATCH', url, { token, body });
    const label = await patch({ label: 'l2' });
    expect(label.status, label.text).toBe(200);
    expect(label.json).toMatchObject({
      ...created,
      label: 'l2',
      updatedAt: expect.any(String) as string,
    });
    const cleared = await patch({ tags: null, retell: { outboundAgentId: null } });
    expect(cleared.json).toMatchObject({
      label: 'l2',
      tags: [],
      retell: { inboundAgentId: 'agent_a', outboundAgentId: null },
      exotel: created.exotel,
    });
    const e2 = exotel();
    const replaced = await patch({ exotel: e2 });
    expect((replaced.json as Phone).exotel).toMatchObject({
      apiKey: { set: true, last4: e2.apiKey.slice(-4) },
    });
    expect((await patch({ exotel: null })).json).toMatchObject({ exotel: null, label: 'l2' });
    for (const [field, value] of [
      ['number', '+61400000000'],
      ['provider', 'twilio'],
      ['country', 'NZ'],
      ['number', null],
    ] as const) {
      const r = await patch({ [field]: value });
      expect(r.status).toBe(400);
      expect(err(r).message).toBe(
        `${field}: ${field === 'country' ? 'cannot be changed: it is the region of the number' : 'cannot be changed: delete the phone and create it again'}`,
      );
    }
    const bad = await patch({ label: 'l3', exotel: { apiKey: 'only-one' } });
    expect(bad.status).toBe(400);
    const after = await s.request('GET', url, { token });
    expect(after.json).toMatchObject({ label: 'l2', exotel: null, number: created.number });
    expect(
      (await s.request('PATCH', `${base()}/${randomUuid()}`, { token, body: { label: 'x' } }))
        .status,
    ).toBe(404);
  });

  it('deletes a phone: 204, then 404 everywhere, and the number can be imported again', async () => {
    const number = randomPhoneNumber();
    const p = (await create({ number, provider: 'twilio' })).json as Phone;
    expect((await s.request('DELETE', `${base()}/${p.id}`, { token })).status).toBe(204);
    expect((await s.request('GET', `${base()}/${p.id}`, { token })).status).toBe(404);
    expect((await s.request('DELETE', `${base()}/${p.id}`, { token })).status).toBe(404);
    const lookup = await s.request('POST', `${base()}/lookup`, { token, body: { number } });
    expect(lookup.status).toBe(404);
    expect(err(lookup)).toMatchObject({ code: 'ERR_NOT_FOUND', message: 'phone not found' });
    expect((await create({ number, provider: 'twilio' })).status).toBe(201);
  });

  it('finds one phone by its number in three formats, and 409s a second import typed another way', async () => {
    const p = (await create({ number: '+61 401 999 123', provider: 'exotel' })).json as Phone;
    expect(p.number).toBe('+61401999123');
    // The tenant's default region is AU (set above).
    for (const body of [
      { number: '+61401999123' },
      { number: '0401 999 123', country: 'AU' },
      { number: '(04) 0199-9123' },
      { number: '＋６１ ４０１ ９９９ １２３' },
    ]) {
      const r = await s.request('POST', `${base()}/lookup`, { token, body });
      expect(r.status, JSON.stringify(body)).toBe(200);
      expect((r.json as Phone).id).toBe(p.id);
    }
    for (const number of ['0401999123', '+61-401-999-123']) {
      const dup = await s.request('POST', base(), { token, body: { number, provider: 'twilio' } });
      expect(dup.status).toBe(409);
      expect(err(dup)).toMatchObject({
        code: 'ERR_PHONE_EXISTS',
        message: 'number: the tenant already has a phone with this number',
      });
      expect(dup.text).not.toContain('401999123');
    }
    // Another tenant may hold the same number; nothing links the two.
    const theirs = await s.request('POST', `/v1/tenants/${other}/phones`, {
      token: foreign,
      body: { number: '+61401999123', provider: 'retell' },
    });
    expect(theirs.status).toBe(201);
    const rows = await s.server.database.db
      .selectFrom('phones')
      .select(['tenant_id', 'number_bidx', 'number_env'])
      .where('id', 'in', [p.id, (theirs.json as Phone).id])
      .execute();
    expect(rows.length).toBe(2);
    expect(rows[0]?.number_bidx).not.toBe(rows[1]?.number_bidx);
  });

  it('admits one of several concurrent imports of one number typed different ways', async () => {
    const number = randomPhoneNumber();
    const formats = [number, `0${number.slice(3)}`, `${number.slice(0, 3)} ${number.slice(3)}`];
    const results = await Promise.all(
      [...formats, ...formats].map((n) =>
        s.request('POST', base(), {
          token,
          body: { number: n, country: 'AU', provider: 'twilio' },
        }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409, 409]);
    for (const r of results.filter((x) => x.status === 409)) {
      expect(err(r).code).toBe('ERR_PHONE_EXISTS');
    }
    const made = results.find((r) => r.status === 201);
    if (made !== undefined) planted.push(number.slice(3));
  });

  it("answers 404 to another tenant: on A's phone id, and on B's own lookup of A's number", async () => {
    const number = randomPhoneNumber();
    const p = (await create({ number, provider: 'exotel', exotel: exotel() })).json as Phone;
    for (const [method, path, body] of [
      ['GET', `/v1/tenants/${other}/phones/${p.id}`, undefined],
      ['PATCH', `/v1/tenants/${other}/phones/${p.id}`, { label: 'mine now' }],
      ['DELETE', `/v1/tenants/${other}/phones/${p.id}`, undefined],
      ['GET', `${base()}/${p.id}`, undefined],
      ['POST', `/v1/tenants/${other}/phones/lookup`, { number }],
      ['POST', `${base()}/lookup`, { number }],
    ] as const) {
      const r = await s.request(method, path, { token: foreign, body });
      expect(r.status, `${method} ${path}`).toBe(404);
      expect(r.text).not.toContain(p.id);
      expect(r.text).not.toContain(number.slice(3));
    }
    expect((await s.request('GET', `${base()}/${p.id}`, { token })).json).toMatchObject({
      label: null,
    });
  });

  it('pages in creation order by cursor, and filters by provider and tag', async () => {
    const tenant = await s.createTenant('pages');
    const tok = await s.mintToken(tenant, ['phones:read', 'phones:write']);
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) {
      const r = await s.request('POST', `/v1/tenants/${tenant}/phones`, {
        token: tok,
        body: {
          number: randomPhoneNumber(),
          provider: i % 2 === 0 ? 'twilio' : 'exotel',
          tags: i % 3 === 0 ? ['vip', 'x_y'] : ['xay'],
        },
      });
      expect(r.status, r.text).toBe(201);
      ids.push((r.json as Phone).id);
    }
    const list = (q: string) =>
      s
        .request('GET', `/v1/tenants/${tenant}/phones${q}`, { token: tok })
        .then((r) => r.json as { phones: Phone[]; nextCursor: string | null });
    const seen: string[] = [];
    let cursor: string | null = null;
    const sizes: number[] = [];
    do {
      const page = await list(`?limit=3${cursor === null ? '' : `&cursor=${cursor}`}`);
      sizes.push(page.phones.length);
      seen.push(...page.phones.map((p) => p.id));
      cursor = page.nextCursor;
    } while (cursor !== null);
    expect(sizes).toEqual([3, 3, 1]);
    expect(seen).toEqual(ids);
    expect((await list('')).phones.map((p) => p.id)).toEqual(ids);
    expect((await list('?provider=twilio')).phones.map((p) => p.id)).toEqual(
      ids.filter((_, i) => i % 2 === 0),
    );
    expect((await list('?tag=vip')).phones.map((p) => p.id)).toEqual(
      ids.filter((_, i) => i % 3 === 0),
    );
    // `_` in a tag is matched literally, not as a wildcard ("xay" is not "x_y").
    expect((await list('?tag=x_y')).phones.map((p) => p.id)).toEqual(
      ids.filter((_, i) => i % 3 === 0),
    );
    expect((await list('?tag=x&provider=exotel')).phones).toEqual([]);
    const page = await list('?tag=vip&provider=twilio&limit=1');
    expect(page.phones.map((p) => p.id)).toEqual([ids[0]]);
    expect(page.nextCursor).toBe(ids[0]);
    for (const q of [
      '?limit=0',
      '?limit=201',
      '?cursor=nope',
      '?provider=vonage',
      '?tag=A',
      '?x=1',
    ]) {
      const r = await s.request('GET', `/v1/tenants/${tenant}/phones${q}`, { token: tok });
      expect(r.status, q).toBe(400);
      expect(err(r).code).toBe('ERR_VALIDATION');
    }
  });

  it('verifies nothing and decrypts nothing where no Exotel call can go (no sandbox URL)', async () => {
    const p = (await create({ number: randomPhoneNumber(), provider: 'exotel', exotel: exotel() }))
      .json as Phone;
    const r = await s.request('POST', `${base()}/${p.id}/exotel/verify`, { token });
    expect(r.status, r.text).toBe(200);
    expect(r.json).toMatchObject({
      ok: false,
      error: { code: 'ERR_PROVIDER_NOT_CONFIGURED', retryable: false },
    });
    const actions = await s.server.database.db
      .selectFrom('audit_events')
      .select(['action', 'outcome'])
      .where('target', '=', `phone:${p.id}`)
      .orderBy('seq')
      .execute();
    expect(actions).toEqual([
      { action: 'phone.create', outcome: 'success' },
      { action: 'phone.exotel.verify', outcome: 'failure' },
    ]);
  });

  it('audits create, update and delete with field names only', async () => {
    const e = exotel();
    const number = randomPhoneNumber();
    const p = (await create({ number, provider: 'exotel', exotel: e })).json as Phone;
    await s.request('PATCH', `${base()}/${p.id}`, { token, body: { label: 'audited' } });
    await s.request('DELETE', `${base()}/${p.id}`, { token });
    const events = await s.server.database.db
      .selectFrom('audit_events')
      .selectAll()
      .where('tenant_id', '=', t)
      .where('target', '=', `phone:${p.id}`)
      .orderBy('seq')
      .execute();
    expect(
      events.map((ev) => [ev.action, JSON.parse(ev.detail_json ?? 'null') as unknown]),
    ).toEqual([
      ['phone.create', { provider: 'exotel', fields: ['exotel', 'number', 'provider'] }],
      ['phone.update', { fields: ['label'] }],
      ['phone.delete', null],
    ]);
    const text = JSON.stringify(events);
    for (const needle of [number, number.slice(3), e.apiKey, e.apiToken, 'audited']) {
      expect(text).not.toContain(needle);
    }
  });

  it('keeps no number and no Exotel key or token in the clear in the database', async () => {
    expect(planted.length).toBeGreaterThan(15);
    let haystack: string;
    const db = s.server.database.db;
    if (dialect === 'sqlite') {
      const file = sqliteFilePath(s.dataDir);
      const parts = [file, `${file}-wal`].filter((p) => existsSync(p));
      haystack = parts.map((p) => readFileSync(p).toString('latin1')).join('\n');
    } else {
      const url = new URL(POSTGRES_ADMIN_URL);
      const dbName = new URL(s.databaseUrl ?? '').pathname.slice(1);
      haystack = execFileSync(
        'pg_dump',
        ['-h', url.hostname, '-p', url.port || '5432', '-U', url.username, '-d', dbName],
        { maxBuffer: 64 * 1024 * 1024 },
      ).toString();
    }
    const rows = JSON.stringify((await sql`select * from phones`.execute(db)).rows);
    // The scans see the database: a plain column is found.
    expect(haystack).toContain('api.in.exotel.com');
    expect(rows).toContain('api.in.exotel.com');
    for (const needle of planted) {
      expect(haystack.includes(needle), `${needle.slice(0, 6)}… at rest`).toBe(false);
      expect(rows.includes(needle), `${needle.slice(0, 6)}… in rows`).toBe(false);
    }
  });
});

function randomUuid(): string {
  return '0190aaaa-0000-7000-8000-000000000000';
}
