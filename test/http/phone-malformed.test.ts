// Malformed input to the phone and settings routes (fast-check): a corrupted field of a valid body,
// unknown fields, non-object bodies, bad queries. Always a 4xx naming a field, never a 5xx, and
// nothing written (phones, settings, audit, key usage compared before and after). FC_SEED=<seed>
// replays a failure (test/support/property.ts).
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { phonePatch } from '../../src/services/phones/index.js';
import { brokenString as broken, nonString } from '../support/malformed.js';
import { checkProperty } from '../support/property.js';
import { DIALECTS, startTestServer, type HttpResult, type TestServer } from '../support/server.js';
import { phoneBody, seedPhone, validCredentials } from './fixtures.js';

const RUNS = 40;
/** Phone fields also refuse a stray `+`; their limits are short, so 60 more characters break them. */
const brokenPhoneString = (valid: string) => broken(valid, { odd: ['+'], tooLongBy: 60 });

const CODES =
  /^ERR_(VALIDATION|PHONE_INVALID|PHONE_TYPE_NOT_ALLOWED|PHONE_EXISTS|HTTP_BODY_TOO_LARGE)$/;

describe.each(DIALECTS)('malformed phone input on %s', (dialect) => {
  let s: TestServer;
  let tenantId = '';
  let token = '';
  let phoneId = '';
  let taken = '';

  async function snapshot(): Promise<string> {
    const db = s.server.database.db;
    const parts = await Promise.all(
      (['phones', 'tenant_settings', 'audit_events', 'key_usage'] as const).map((t) =>
        db.selectFrom(t).selectAll().execute(),
      ),
    );
    return JSON.stringify(parts);
  }

  /** A 4xx (never 5xx) whose message starts by naming `field` (its first segment). */
  function expectRejected(r: HttpResult, field?: string): void {
    expect(r.status, r.text).toBeGreaterThanOrEqual(400);
    expect(r.status, r.text).toBeLessThan(500);
    const e = (r.json as { error: { code: string; message: string } }).error;
    expect(e.code, r.text).toMatch(CODES);
    const named = e.message.split(':')[0] ?? '';
    expect(named, r.text).toMatch(/^[\x20-\x7e]{1,200}$/);
    if (field !== undefined && r.status === 400 && !named.startsWith('"')) {
      expect(named.split('.')[0], r.text).toBe(field);
    }
  }

  beforeAll(async () => {
    s = await startTestServer(dialect, { logLevel: 'silent' });
    tenantId = await s.createTenant('phone-fuzz');
    token = await s.mintToken(tenantId, ['phones:read', 'phones:write', 'settings:manage']);
    ({ phoneId, phoneNumber: taken } = await seedPhone(s, tenantId));
  });
  afterAll(async () => {
    await s.close();
  });

  it('rejects a corrupted field of a phone create with a 4xx naming it, and writes nothing', async () => {
    const before = await snapshot();
    // The base number is one the tenant has: a corruption that still reads as it is a 409.
    const valid: Record<string, unknown> = { ...phoneBody(), number: taken, country: 'AU' };
    const exotel = validCredentials()['exotel'] ?? {};
    await checkProperty(
      fc.asyncProperty(
        fc.oneof(
          fc
            .constantFrom('number', 'country', 'label', 'provider')
            .chain((f) =>
              fc.tuple(fc.constant([f]), fc.oneof(nonString, brokenPhoneString(String(valid[f])))),
            ),
          fc
            .constantFrom(...Object.keys(exotel))
            .chain((f) =>
              fc.tuple(
                fc.constant(['exotel', f]),
                fc.oneof(nonString, brokenPhoneString(exotel[f] ?? '')),
              ),
            ),
          fc.tuple(
            fc.constant(['tags']),
            fc.oneof(
              nonString,
              brokenPhoneString('sales').map((t) => [t]),
            ),
          ),
          fc.tuple(
            fc.constant(['retell', 'inboundAgentId']),
            fc.oneof(nonString, brokenPhoneString('agent_1')),
          ),
        ),
        async ([path, bad]) => {
          const body = structuredClone(valid) as Record<string, Record<string, unknown>>;
          if (path.length === 1) body[path[0] ?? ''] = bad as never;
          else body[path[0] ?? ''] = { ...(body[path[0] ?? ''] ?? {}), [path[1] ?? '']: bad };
          const r = await s.request('POST', `/v1/tenants/${tenantId}/phones`, { token, body });
          expectRejected(r, path[0]);
        },
      ),
      { numRuns: RUNS * 2 },
    );
    expect(await snapshot()).toBe(before);
  });

  it('rejects bad patches, lookups, settings, queries and non-object bodies, writing nothing', async () => {
    const before = await snapshot();
    const patchUrl = `/v1/tenants/${tenantId}/phones/${phoneId}`;
    await checkProperty(
      fc.asyncProperty(
        fc.constantFrom('label', 'tags', 'exotel', 'retell', 'number', 'provider', 'country', 'x'),
        fc.oneof(nonString, fc.string({ maxLength: 300 }), fc.constant('')),
        async (field, bad) => {
          const body = { [field]: bad };
          // Only bodies the rules refuse (a valid label would be a real change).
          fc.pre(!phonePatch.safeParse(body).success);
          expectRejected(await s.request('PATCH', patchUrl, { token, body }), field);
        },
      ),
      { numRuns: RUNS },
    );
    await checkProperty(
      fc.asyncProperty(
        fc.oneof(nonString, brokenPhoneString('+61 412 345 678'), fc.constant(null)),
        fc.oneof(fc.constant(undefined), fc.constantFrom('au', 'XX', '', 'AUS'), nonString),
        async (number, country) => {
          const r = await s.request('POST', `/v1/tenants/${tenantId}/phones/lookup`, {
            token,
            body: { number, ...(country === undefined ? {} : { country }) },
          });
          // An odd character the normalizer folds away leaves a valid number: not found is fine.
          if (r.status === 404) return;
          expectRejected(r);
        },
      ),
      { numRuns: RUNS },
    );
    await checkProperty(
      fc.asyncProperty(
        fc.oneof(nonString, fc.constantFrom('au', 'XX', '', 'AUS')),
        fc.oneof(
          nonString.filter((v) => !Array.isArray(v)),
          fc.constant([]),
          fc.array(fc.string({ maxLength: 12 }), { minLength: 1, maxLength: 3 }),
        ),
        async (defaultCountry, allowedNumberTypes) => {
          const url = `/v1/tenants/${tenantId}/settings`;
          expectRejected(await s.request('PATCH', url, { token, body: { defaultCountry } }));
          expectRejected(await s.request('PATCH', url, { token, body: { allowedNumberTypes } }));
        },
      ),
      { numRuns: RUNS },
    );
    await checkProperty(
      fc.asyncProperty(
        fc.string({ maxLength: 40 }),
        fc.constantFrom('limit', 'cursor', 'provider', 'tag', 'other'),
        async (v, key) => {
          const q = new URLSearchParams({ [key]: `${v}${key === 'limit' ? 'x' : ' !'}` });
          expectRejected(
            await s.request('GET', `/v1/tenants/${tenantId}/phones?${q.toString()}`, { token }),
            key,
          );
        },
      ),
      { numRuns: RUNS },
    );
    for (const rawBody of ['42', '"x"', 'null', '[]', 'true', '{"number": ', '{"__proto__": {}}']) {
      for (const [method, path] of [
        ['POST', '/phones'],
        ['PATCH', `/phones/${phoneId}`],
        ['POST', '/phones/lookup'],
        ['PATCH', '/settings'],
      ] as const) {
        expectRejected(
          await s.request(method, `/v1/tenants/${tenantId}${path}`, { token, rawBody }),
        );
      }
    }
    expect(await snapshot()).toBe(before);
    expect((await s.request('GET', '/healthz')).status).toBe(200);
  });
});
