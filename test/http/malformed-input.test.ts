// Malformed input corpus (fast-check): wrong types, missing fields, unknown fields, huge strings,
// odd unicode (U+0000 and lone surrogates included), prototype keys, bad JSON. Always a 4xx naming
// a field, never a 5xx, never a partial write; the server stays up. Each property prints its seed
// on failure; FC_SEED=<seed> replays it (test/support/property.ts).
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROVIDER_SPECS, PROVIDERS } from '../../src/services/credentials/providers.js';
import { SCOPES } from '../../src/services/tokens/scopes.js';
import { checkProperty } from '../support/property.js';
import { brokenString, nonString } from '../support/malformed.js';
import { DIALECTS, startTestServer, type HttpResult, type TestServer } from '../support/server.js';
import { validCredentials } from './fixtures.js';

const RUNS = 40;
/** Text no request may carry anywhere: U+0000 and lone surrogates. */
const UNSTORABLE = ['\u0000', '\ud800', '\udfff'];

/** Any string, with text no request may carry mixed in often (binary strings hold it rarely). */
const anyString = (c: { minLength?: number; maxLength: number }) =>
  fc.oneof(
    fc.string({ ...c, unit: 'binary' }),
    fc
      .tuple(fc.string({ ...c, unit: 'binary' }), fc.constantFrom(...UNSTORABLE), fc.nat())
      .map(([s, ch, at]) => s.slice(0, at % (s.length + 1)) + ch + s.slice(at % (s.length + 1))),
  );

const fieldName = (r: HttpResult): string => {
  const e = (r.json as { error?: { message?: string } } | undefined)?.error;
  return e?.message?.split(':')[0] ?? '';
};

/**
 * The first segment of a named field, as the client spelt it: a plain name, or a quoted JSON
 * string (client-chosen names are escaped and cut to 64 units; `:` is escaped, so the split above
 * holds).
 */
function firstSegment(named: string): string {
  const quoted = /^"((?:[^"\\]|\\.)*)"/.exec(named);
  if (quoted?.[1] !== undefined) return JSON.parse(`"${quoted[1]}"`) as string;
  return named.split('.')[0] ?? '';
}

describe.each(DIALECTS)('malformed input on %s', (dialect) => {
  let s: TestServer;
  let tenantId = '';
  let token = '';

  async function snapshot(): Promise<string> {
    const db = s.server.database.db;
    const parts = await Promise.all(
      (
        ['tenants', 'api_tokens', 'credentials', 'secrets', 'audit_events', 'key_usage'] as const
      ).map((t) => db.selectFrom(t).selectAll().execute()),
    );
    return JSON.stringify(parts);
  }

  function expectRejected(r: HttpResult, field?: string): void {
    expect(r.status, r.text).toBeGreaterThanOrEqual(400);
    expect(r.status, r.text).toBeLessThan(500);
    expect((r.json as { error: { code: string } }).error.code).toMatch(
      /^ERR_(VALIDATION|HTTP_BODY_TOO_LARGE|HTTP_MEDIA_TYPE)$/,
    );
    const named = fieldName(r);
    expect(named.length, r.text).toBeGreaterThan(0);
    // Whatever the client sent, the field is named in short printable ASCII.
    expect(named, r.text).toMatch(/^[\x20-\x7e]{1,200}$/);
    // The field as the client spelt it, cut to at most 64 characters as shown (escapes included).
    if (field !== undefined && r.status === 400) {
      const first = firstSegment(named);
      expect(field.startsWith(first), r.text).toBe(true);
      expect(first.length, r.text).toBeGreaterThanOrEqual(Math.min(field.length, 10));
    }
  }

  beforeAll(async () => {
    s = await startTestServer(dialect, { logLevel: 'silent' });
    tenantId = await s.createTenant('fuzz');
    token = await s.mintToken(tenantId, SCOPES);
    // Twilio set (partial updates must not half-apply); the others left unset.
    await s.request('PUT', `/v1/tenants/${tenantId}/credentials/twilio`, {
      token,
      body: validCredentials()['twilio'],
    });
    await s.request('PUT', `/v1/tenants/${tenantId}/secrets/kept`, {
      token,
      body: { value: 'kept-value' },
    });
  });
  afterAll(async () => {
    await s.close();
  });

  it('rejects a corrupted field of every provider with 4xx naming it, and writes nothing', async () => {
    const before = await snapshot();
    for (const provider of PROVIDERS) {
      const valid = validCredentials()[provider] ?? {};
      const fields = Object.keys(PROVIDER_SPECS[provider].input.shape);
      await checkProperty(
        fc.asyncProperty(
          fc
            .constantFrom(...fields)
            .chain((f) =>
              fc.tuple(fc.constant(f), fc.oneof(nonString, brokenString(valid[f] ?? 'x'))),
            ),
          async ([field, bad]) => {
            const body = { ...valid, [field]: bad };
            const r = await s.request('PUT', `/v1/tenants/${tenantId}/credentials/${provider}`, {
              token,
              body,
            });
            expectRejected(r, field);
          },
        ),
        { numRuns: RUNS },
      );
    }
    expect(await snapshot()).toBe(before);
  });

  it('rejects unknown fields, missing required fields and non-object bodies', async () => {
    const before = await snapshot();
    await checkProperty(
      fc.asyncProperty(
        fc.constantFrom(...PROVIDERS),
        anyString({ minLength: 1, maxLength: 80 }),
        fc.oneof(
          fc.jsonValue({ stringUnit: 'binary' }),
          fc.dictionary(anyString({ maxLength: 5 }), anyString({ maxLength: 5 }), { maxKeys: 3 }),
        ),
        async (provider, key, value) => {
          fc.pre(
            !(key in PROVIDER_SPECS[provider].input.shape) &&
              key !== '__proto__' &&
              key !== 'constructor',
          );
          // A value holding a prototype key or unstorable text deep inside is refused naming the
          // path to it, which starts with `key` too.
          const body = { ...validCredentials()[provider], [key]: value };
          expectRejected(
            await s.request('PUT', `/v1/tenants/${tenantId}/credentials/${provider}`, {
              token,
              body,
            }),
            key,
          );
        },
      ),
      { numRuns: RUNS },
    );
    for (const provider of ['sendgrid', 'retell', 'exotel'] as const) {
      const valid = validCredentials()[provider] ?? {};
      for (const missing of Object.keys(valid)) {
        const body = Object.fromEntries(Object.entries(valid).filter(([k]) => k !== missing));
        const r = await s.request('PUT', `/v1/tenants/${tenantId}/credentials/${provider}`, {
          token,
          body,
        });
        expectRejected(r, missing);
      }
    }
    await checkProperty(
      fc.asyncProperty(
        fc.oneof(
          fc.integer(),
          fc.string(),
          fc.array(fc.integer()),
          fc.constant(null),
          fc.boolean(),
        ),
        async (body) => {
          for (const path of [`/credentials/sendgrid`, `/secrets/x1`, `/tokens`]) {
            const method = path === '/tokens' ? 'POST' : 'PUT';
            expectRejected(
              await s.request(method, `/v1/tenants/${tenantId}${path}`, {
                token,
                rawBody: JSON.stringify(body),
              }),
            );
          }
          expectRejected(
            await s.request('POST', '/v1/tenants', {
              token: s.rootToken,
              rawBody: JSON.stringify(body),
            }),
          );
        },
      ),
      { numRuns: RUNS },
    );
    expect(await snapshot()).toBe(before);
  });

  it('rejects bad JSON, wrong media types and huge bodies', async () => {
    const before = await snapshot();
    await checkProperty(
      fc.asyncProperty(fc.string({ unit: 'grapheme', maxLength: 60 }), async (text) => {
        let isJson = true;
        try {
          JSON.parse(text);
        } catch {
          isJson = false;
        }
        fc.pre(!isJson && text.trim() !== '');
        expectRejected(
          await s.request('PUT', `/v1/tenants/${tenantId}/secrets/kept`, { token, rawBody: text }),
        );
        expectRejected(
          await s.request('PUT', `/v1/tenants/${tenantId}/credentials/twilio`, {
            token,
            rawBody: `{"authToken": ${text}`,
          }),
        );
      }),
      { numRuns: RUNS },
    );
    expectRejected(
      await s.request('PUT', `/v1/tenants/${tenantId}/secrets/kept`, {
        token,
        rawBody: '{"value":"x"}',
        headers: { 'content-type': 'text/plain' },
      }),
    );
    expectRejected(
      await s.request('PUT', `/v1/tenants/${tenantId}/secrets/kept`, {
        token,
        body: { value: 'x'.repeat(200_000) },
      }),
    );
    expectRejected(
      await s.request('PUT', `/v1/tenants/${tenantId}/secrets/kept`, {
        token,
        body: { value: 'x'.repeat(20_000) },
      }),
      'value',
    );
    for (const [rawBody, message] of [
      ['{"__proto__": {"x": 1}}', 'body: key "__proto__" is not allowed'],
      [
        '{"value": "v", "constructor": {"prototype": {}}}',
        'body: key "constructor" holding "prototype" is not allowed',
      ],
      ['{"value": {"a": [1, {"__proto__": null}]}}', 'value.a.1: key "__proto__" is not allowed'],
    ] as const) {
      const r = await s.request('PUT', `/v1/tenants/${tenantId}/secrets/kept`, { token, rawBody });
      expectRejected(r);
      expect((r.json as { error: { message: string } }).error.message).toBe(message);
    }
    expect(({} as Record<string, unknown>)['x']).toBeUndefined();
    expect(await snapshot()).toBe(before);
  });

  it('rejects bad secrets, tenants, tokens and audit queries', async () => {
    const before = await snapshot();
    await checkProperty(
      fc.asyncProperty(
        fc.oneof(nonString, fc.constant(''), fc.constant(null)),
        fc.oneof(nonString, fc.constant(''), fc.constant('   '), fc.constant('n'.repeat(300))),
        fc.oneof(
          nonString,
          fc.constant([]),
          fc
            .array(fc.string({ maxLength: 20 }), { minLength: 1, maxLength: 3 })
            .filter((a) => a.some((x) => !(SCOPES as readonly string[]).includes(x))),
        ),
        fc.oneof(fc.string({ maxLength: 30 }), fc.constant('2001-01-01T00:00:00Z')),
        async (value, name, scopes, expiresAt) => {
          expectRejected(
            await s.request('PUT', `/v1/tenants/${tenantId}/secrets/fuzz`, {
              token,
              body: { value },
            }),
            'value',
          );
          expectRejected(
            await s.request('POST', '/v1/tenants', { token: s.rootToken, body: { name } }),
            'name',
          );
          expectRejected(
            await s.request('POST', `/v1/tenants/${tenantId}/tokens`, {
              token,
              body: { name: 'ok', scopes },
            }),
            'scopes',
          );
          expectRejected(
            await s.request('POST', `/v1/tenants/${tenantId}/tokens`, {
              token,
              body: { name: 'ok', scopes: ['audit:read'], expiresAt },
            }),
            'expiresAt',
          );
        },
      ),
      { numRuns: RUNS },
    );
    await checkProperty(
      fc.asyncProperty(
        anyString({ maxLength: 40 }),
        fc.constantFrom('limit', 'cursor', 'action', 'other'),
        async (v, key) => {
          const q = new URLSearchParams({
            [key]: v + (key === 'limit' ? 'x' : key === 'other' ? '' : ' !'),
          });
          expectRejected(
            await s.request('GET', `/v1/tenants/${tenantId}/audit?${q.toString()}`, { token }),
            key,
          );
        },
      ),
      { numRuns: RUNS },
    );
    // The last two: U+0000, and a lone surrogate (which has no UTF-8 form; sent as its CESU-8
    // bytes, the only way a path can try to carry one).
    for (const name of ['-lead', 'a'.repeat(129), 'sp ace', 'é', 'a%00b', 'a%ED%A0%80b']) {
      const path = name.includes('%') ? name : encodeURIComponent(name);
      const r = await s.request('PUT', `/v1/tenants/${tenantId}/secrets/${path}`, {
        token,
        body: { value: 'v' },
      });
      expectRejected(r, 'name');
    }
    expect(await snapshot()).toBe(before);
    expect((await s.request('GET', '/healthz')).status).toBe(200);
    expect((await s.request('GET', '/readyz')).status).toBe(200);
  });
});
