// What a request no route takes is answered: a wrong method on a path that exists is 405 with
// `Allow` (derived from the server's own route table, so a new route is covered), a path that
// exists nowhere is 404 naming the method and path and pointing at /openapi.json, a path whose
// params break the rules of the routes it fits is their 400 whatever the method, and a path the
// router cannot decode or accept is a 400/414 in the one error shape. Routing reads no storage:
// SQLite only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type HttpResult, type TestServer } from '../support/server.js';
import { pathFor, seedTenant, type TenantFixture } from './fixtures.js';

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

const errorOf = (r: HttpResult) =>
  (r.json as { error?: { code: string; message: string; requestId: string } }).error;

describe('routing errors', () => {
  let s: TestServer;
  let f: TenantFixture;

  beforeAll(async () => {
    s = await startTestServer('sqlite', { logLevel: 'silent' });
    f = await seedTenant(s, 'routing');
  });
  afterAll(async () => {
    await s.close();
  });

  it('answers a wrong method on every existing path with 405 and an Allow that lists exactly the methods that answer', async () => {
    const paths = new Set([...s.server.routes.map((r) => pathFor(r, f)), '/openapi.json']);
    for (const path of paths) {
      // No token: an allowed method answers 401 (or the public answer), never 405 or 404.
      const statuses = new Map<string, HttpResult>();
      for (const method of METHODS) statuses.set(method, await s.request(method, path));
      const refused = METHODS.filter((m) => statuses.get(m)?.status === 405);
      const answered = METHODS.filter((m) => !refused.includes(m));
      expect(refused.length, path).toBeGreaterThan(0);
      expect(answered.length, path).toBeGreaterThan(0);
      for (const m of answered) expect(statuses.get(m)?.status, `${m} ${path}`).not.toBe(404);
      for (const m of refused) {
        const r = statuses.get(m);
        if (r === undefined) continue;
        expect(r.headers.get('allow'), `${m} ${path}`).toBe(answered.join(', '));
        if (m === 'HEAD') continue; // a HEAD answer has no body
        expect(errorOf(r), `${m} ${path}`).toEqual({
          code: 'ERR_HTTP_METHOD_NOT_ALLOWED',
          message: `method: ${m} is not allowed on this path, only ${answered.join(', ')}`,
          requestId: r.headers.get('x-request-id'),
        });
      }
    }
    // Two by hand, so the derivation above cannot drift with the router.
    expect((await s.request('POST', '/healthz')).headers.get('allow')).toBe('GET, HEAD');
    const creds = await s.request('POST', `/v1/tenants/${f.tenantId}/credentials/twilio`, {
      token: s.rootToken,
      body: {},
    });
    expect(creds.status).toBe(405);
    expect(creds.headers.get('allow')).toBe('GET, HEAD, PUT, DELETE');
  });

  it('names the method and path of an unknown route and points at /openapi.json', async () => {
    const r = await s.request('GET', '/v2/tenants?token=tvk_not_echoed');
    expect(r.status).toBe(404);
    expect(errorOf(r)).toMatchObject({
      code: 'ERR_NOT_FOUND',
      message: 'no route GET /v2/tenants: the routes are listed at /openapi.json',
    });
    expect(r.text).not.toContain('tvk_not_echoed');
    // A path that is long, or carries encoded controls and a bidi override, is echoed cut and as
    // the client encoded it (printable ASCII only).
    const odd = `/x/%E2%80%AE%0A/${'y'.repeat(300)}`;
    const long = await s.request('DELETE', odd);
    expect(long.status).toBe(404);
    expect(errorOf(long)?.message).toBe(
      `no route DELETE ${odd.slice(0, 200)}...: the routes are listed at /openapi.json`,
    );
    // A prefix of a real route is not a route.
    expect((await s.request('GET', '/v1/tenants/x/credentials/twilio/verify/more')).status).toBe(
      404,
    );
  });

  it('answers an unknown provider with the same 400 whatever the method', async () => {
    const base = `/v1/tenants/${f.tenantId}/credentials/vonage`;
    const message = 'provider: must be one of twilio, sendgrid, retell, exotel';
    for (const method of ['GET', 'PUT', 'POST', 'DELETE']) {
      const r = await s.request(method, base, {
        token: s.rootToken,
        ...(method === 'PUT' ? { body: { apiKey: 'k' } } : {}),
      });
      expect(r.status, method).toBe(400);
      expect(errorOf(r), method).toMatchObject({ code: 'ERR_VALIDATION', message });
    }
    // Verify answers the same for it.
    const verify = await s.request('POST', `${base}/verify`, { token: s.rootToken });
    expect(errorOf(verify)).toMatchObject({ code: 'ERR_VALIDATION', message });
  });

  it('answers a path the router cannot decode or accept in the one error shape, naming the param', async () => {
    const t = f.tenantId;
    for (const [path, status, code, message] of [
      [
        `/v1/tenants/${t}/secrets/a%ED%A0%80`,
        400,
        'ERR_VALIDATION',
        'name: must be percent-encoded UTF-8',
      ],
      [
        `/v1/tenants/%C0%80/secrets`,
        400,
        'ERR_VALIDATION',
        'tenantId: must be percent-encoded UTF-8',
      ],
      [
        `/v1/tenants/${t}/secrets/a%zz`,
        400,
        'ERR_VALIDATION',
        'name: must be percent-encoded UTF-8',
      ],
      [
        `/v1/tenants/${t}/secrets/${'a'.repeat(257)}`,
        414,
        'ERR_HTTP_URI_TOO_LONG',
        'path: each segment must be at most 256 characters',
      ],
    ] as const) {
      const r = await s.request('GET', path, { token: s.rootToken });
      expect(r.status, path).toBe(status);
      expect(errorOf(r), path).toEqual({ code, message, requestId: r.headers.get('x-request-id') });
      expect(r.headers.get('cache-control')).toBe('no-store');
    }
  });
});
