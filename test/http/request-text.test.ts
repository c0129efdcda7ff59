// Every string of every request is text the vault can hold: a lone surrogate (no UTF-8 form; the
// crypto core refused it with a 500) or U+0000 (PostgreSQL text refused it with a 500) anywhere in
// a path param, a query string, a body value at any depth or a body key is a 400 naming the field,
// before authorization, and nothing is written. So are the keys `__proto__` and
// `constructor.prototype`, named for what they are (they were "must be valid JSON"). Derived from
// the server's route table, so a new route is covered without anyone remembering.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RouteSpec } from '../../src/http/route-spec.js';
import { SCOPES } from '../../src/services/tokens/scopes.js';
import { DIALECTS, startTestServer, type HttpResult, type TestServer } from '../support/server.js';
import { bodyFor, seedTenant, validCredentials, type TenantFixture } from './fixtures.js';

const NUL = 'must not contain U+0000';
const SURROGATE = 'must be well-formed Unicode (it holds a lone surrogate)';
const NOT_UTF8 = 'must be percent-encoded UTF-8';

const refusal = (r: HttpResult) => (r.json as { error?: { code: string; message: string } }).error;

describe.each(DIALECTS)('request text on %s', (dialect) => {
  let s: TestServer;
  let f: TenantFixture;
  let token = '';

  /** Every row of every table (listed from the database itself, so none is forgotten). */
  async function snapshot(): Promise<string> {
    const db = s.server.database.db;
    const tables = (await db.introspection.getTables())
      .map((t) => t.name)
      .filter((n) => !n.startsWith('kysely_'))
      .sort();
    expect(tables).toContain('secrets');
    const rows = await Promise.all(
      tables.map((t) =>
        db
          .selectFrom(t as 'secrets')
          .selectAll()
          .execute(),
      ),
    );
    return JSON.stringify(rows);
  }

  /** The route's path with the fixture's ids, and `replace` for one param. */
  function pathWith(route: RouteSpec, param?: string, raw?: string): string {
    const ids: Record<string, string> = {
      tenantId: f.tenantId,
      provider: 'twilio',
      name: f.secretName,
      tokenId: f.tokenId,
    };
    return route.url.replace(/:(\w+)/g, (_, p: string) =>
      p === param && raw !== undefined ? raw : (ids[p] ?? p),
    );
  }

  function expectRefused(r: HttpResult, message: string, label: string): void {
    expect(r.status, `${label}: ${r.text}`).toBe(400);
    expect(refusal(r), label).toMatchObject({ code: 'ERR_VALIDATION', message });
  }

  beforeAll(async () => {
    // Warnings and errors are logged: an internal failure would show in the log lines.
    s = await startTestServer(dialect, { logLevel: 'warn' });
    f = await seedTenant(s, 'text');
    token = await s.mintToken(f.tenantId, SCOPES);
  });
  afterAll(async () => {
    await s.close();
  });

  it('refuses U+0000 and lone surrogates in every param, query and body of every route', async () => {
    const before = await snapshot();
    let checked = 0;
    for (const route of s.server.routes) {
      const method = route.method;
      const label = (what: string) => `${method} ${route.url} ${what}`;
      // Path params: U+0000 percent-encoded, and a lone surrogate as the CESU-8 bytes a client
      // would have to send (it has no UTF-8 form). With the root token and with none: the text
      // is refused before anyone is asked who is calling.
      for (const [, param] of route.url.matchAll(/:(\w+)/g)) {
        for (const auth of [s.rootToken, undefined]) {
          const opts = { token: auth, ...(method === 'GET' ? {} : { body: bodyFor(route) }) };
          const nul = await s.request(method, pathWith(route, param, 'a%00b'), opts);
          expectRefused(nul, `${param}: ${NUL}`, label(`param ${param} U+0000`));
          const lone = await s.request(method, pathWith(route, param, 'a%ED%A0%80b'), opts);
          expectRefused(lone, `${param}: ${NOT_UTF8}`, label(`param ${param} surrogate`));
          checked += 2;
        }
      }
      // The query string of every route, those that take none included.
      const query = await s.request(method, `${pathWith(route)}?q=a%00b`, {
        token: s.rootToken,
      });
      expectRefused(query, `q: ${NUL}`, label('query'));
      checked++;
      if (method === 'GET') continue;
      // Bodies: each top-level field, a nested string, and a key; on routes that take no body
      // too (the text is refused before the route's own rules).
      const valid = bodyFor(route);
      const fields = typeof valid === 'object' && valid !== null ? Object.keys(valid) : ['value'];
      const base = typeof valid === 'object' && valid !== null ? valid : {};
      for (const field of fields) {
        for (const [bad, rule] of [
          ['x\u0000', NUL],
          ['x\ud800', SURROGATE],
          ['\udc00y', SURROGATE],
        ] as const) {
          const flat = await s.request(method, pathWith(route), {
            token: s.rootToken,
            body: { ...base, [field]: bad },
          });
          expectRefused(flat, `${field}: ${rule}`, label(`body ${field}`));
          const deep = await s.request(method, pathWith(route), {
            token: s.rootToken,
            body: { ...base, [field]: ['fine', { deep: bad }] },
          });
          expectRefused(deep, `${field}.1.deep: ${rule}`, label(`body ${field} nested`));
          checked += 2;
        }
      }
      const key = await s.request(method, pathWith(route), {
        token: s.rootToken,
        body: { ...base, 'k\u0000': 1 },
      });
      expectRefused(key, `"k\\u0000": key ${NUL}`, label('body key'));
      const loneKey = await s.request(method, pathWith(route), {
        token: s.rootToken,
        rawBody: '{"k\\ud83d": 1}',
      });
      expectRefused(loneKey, `"k\\ud83d": key ${SURROGATE}`, label('body key surrogate'));
      checked += 2;
    }
    expect(checked).toBeGreaterThan(100);
    expect(await snapshot()).toBe(before);
    // Nothing reached the crypto core or the database as a failure.
    const logs = s.logLines.join('\n');
    expect(logs).not.toContain('ERR_CRYPTO_ARGUMENT');
    expect(logs).not.toContain('"level":50');
  });

  it('answers the cases of the report with 400 naming the field, and keeps well-formed text', async () => {
    const base = `/v1/tenants/${f.tenantId}`;
    // Was 500 ERR_CRYPTO_ARGUMENT from the crypto core.
    const lone = await s.request('PUT', `${base}/secrets/lone`, {
      token,
      rawBody: '{"value":"abc\\ud800"}',
    });
    expectRefused(lone, `value: ${SURROGATE}`, 'secret value');
    // Were 500 on PostgreSQL (text cannot hold U+0000), stored on SQLite.
    expectRefused(
      await s.request('POST', '/v1/tenants', { token: s.rootToken, body: { name: 'a\u0000b' } }),
      `name: ${NUL}`,
      'tenant name',
    );
    expectRefused(
      await s.request('POST', `${base}/tokens`, {
        token,
        body: { name: 'a\u0000b', scopes: ['audit:read'] },
      }),
      `name: ${NUL}`,
      'token name',
    );
    expectRefused(
      await s.request('GET', '/v1/tenants/a%00b/secrets', { token: s.rootToken }),
      `tenantId: ${NUL}`,
      'tenant id',
    );
    expectRefused(
      await s.request('PUT', `${base}/secrets/nul`, { token, body: { value: 'a\u0000b' } }),
      `value: ${NUL}`,
      'secret value U+0000',
    );
    // The malformed-input counterexample, and a prototype key at depth, named where it is.
    const twilio = validCredentials()['twilio'];
    const put = (body: string) =>
      s.request('PUT', `${base}/credentials/twilio`, { token, rawBody: body });
    const valid = JSON.stringify(twilio).slice(0, -1);
    expectRefused(
      await put(`${valid},"\\u0000":{"__proto__":""}}`),
      `"\\u0000": key ${NUL}`,
      'counterexample',
    );
    expectRefused(
      await put(`${valid},"x":{"__proto__":""}}`),
      'x: key "__proto__" is not allowed',
      'nested __proto__',
    );
    expectRefused(
      await put(`${valid},"__proto__":{"polluted":true}}`),
      'body: key "__proto__" is not allowed',
      'top-level __proto__',
    );
    expectRefused(
      await put(`${valid},"x":{"constructor":{"prototype":{"polluted":true}}}}`),
      'x: key "constructor" holding "prototype" is not allowed',
      'constructor.prototype',
    );
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    // Well-formed text outside the BMP (surrogate pairs) and a lone "constructor" stay accepted.
    const pair = await s.request('PUT', `${base}/secrets/pair`, {
      token,
      body: { value: 'a\u{1F600}b' },
    });
    expect(pair.status, pair.text).toBe(200);
    const named = await s.request('POST', '/v1/tenants', {
      token: s.rootToken,
      body: { name: 'Café \u{1F600}' },
    });
    expect(named.status, named.text).toBe(201);
    expect((named.json as { name: string }).name).toBe('Café \u{1F600}');
    const ctor = await s.request('PUT', `${base}/secrets/ctor`, {
      token,
      rawBody: '{"value":"v","constructor":1}',
    });
    expectRefused(ctor, 'constructor: unknown field', 'constructor without prototype');
  });
});
