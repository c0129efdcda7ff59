// Every answer that is not the console's carries `X-Content-Type-Options: nosniff` and
// `Content-Security-Policy: default-src 'none'; frame-ancestors 'none'`: the /v1 routes (each one,
// from the server's own route table, successes and refusals), /openapi.json, the health routes, the
// provider callbacks under /hooks, and the answers no route gives (404, 405, a path the router
// refuses, 413, 415). The console keeps its own policy. Headers read no storage: SQLite only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_CSP } from '../../src/http/console-routes.js';
import { startTestServer, type HttpResult, type TestServer } from '../support/server.js';
import { bodyFor, pathFor, seedTenant, type TenantFixture } from './fixtures.js';

function expectApiHeaders(r: HttpResult, name: string): void {
  expect(r.headers.get('x-content-type-options'), name).toBe('nosniff');
  expect(r.headers.get('content-security-policy'), name).toBe(
    "default-src 'none'; frame-ancestors 'none'",
  );
}

describe('the cheap headers', () => {
  let s: TestServer;
  let f: TenantFixture;

  beforeAll(async () => {
    s = await startTestServer('sqlite', { logLevel: 'silent' });
    f = await seedTenant(s, 'headers');
  });
  afterAll(async () => {
    await s?.close();
  });

  it('are on every /v1 answer: each route, with the root token and with none', async () => {
    const statuses = new Set<number>();
    for (const route of s.server.routes) {
      const path = pathFor(route, f);
      const body = route.method === 'GET' ? undefined : (bodyFor(route, f) ?? {});
      const anonymous = await s.request(route.method, path, { body });
      expectApiHeaders(anonymous, `${route.method} ${route.url} (no token)`);
      statuses.add(anonymous.status);
      const root = await s.request(route.method, path, { token: s.rootToken, body });
      expectApiHeaders(root, `${route.method} ${route.url} (${root.status})`);
      statuses.add(root.status);
    }
    // Successes and refusals both were seen.
    expect([...statuses].some((st) => st < 300)).toBe(true);
    expect([...statuses].some((st) => st >= 400)).toBe(true);
  });

  it('are on /openapi.json, /healthz, /readyz, and HEAD answers', async () => {
    for (const path of ['/openapi.json', '/healthz', '/readyz']) {
      expectApiHeaders(await s.request('GET', path), path);
      expectApiHeaders(await s.request('HEAD', path), `HEAD ${path}`);
    }
  });

  it('are on the answers no route gives: 404 (echoing the path), 405, 400, 414, 413, 415', async () => {
    const tenantId = await s.createTenant('refusals');
    const notFound = await s.request('GET', '/v1/%3Cscript%3Ealert(1)%3C%2Fscript%3E');
    expect(notFound.status).toBe(404);
    expectApiHeaders(notFound, '404');
    const wrongMethod = await s.request('POST', '/healthz');
    expect(wrongMethod.status).toBe(405);
    expectApiHeaders(wrongMethod, '405');
    const undecodable = await s.request('GET', `/v1/tenants/${tenantId}/secrets/%E0%A4%A`, {
      token: s.rootToken,
    });
    expect(undecodable.status).toBe(400);
    expectApiHeaders(undecodable, 'undecodable path');
    const long = await s.request('GET', `/v1/tenants/${'a'.repeat(2_000)}/keys`, {
      token: s.rootToken,
    });
    expect(long.status).toBe(414);
    expectApiHeaders(long, '414');
    const big = await s.request('PUT', `/v1/tenants/${tenantId}/secrets/big`, {
      token: s.rootToken,
      body: { value: 'x'.repeat(100_000) },
    });
    expect(big.status).toBe(413);
    expectApiHeaders(big, '413');
    const plain = await s.request('PUT', `/v1/tenants/${tenantId}/secrets/plain`, {
      token: s.rootToken,
      rawBody: 'x',
      headers: { 'content-type': 'text/plain' },
    });
    expect(plain.status).toBe(415);
    expectApiHeaders(plain, '415');
  });

  it('are on the provider callbacks under /hooks', async () => {
    // The route loop above may have deleted the fixture's tenant.
    const tenantId = await s.createTenant('hooks');
    const twilio = await s.request('POST', `/hooks/twilio/${tenantId}/status`, {
      rawBody: 'CallSid=CA1',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(twilio.status).toBe(403);
    expectApiHeaders(twilio, 'twilio hook');
    const exotel = await s.request('POST', `/hooks/exotel/${tenantId}/nope/status`, {
      body: {},
    });
    expect(exotel.status).toBeGreaterThanOrEqual(400);
    expectApiHeaders(exotel, 'exotel hook');
    const retell = await s.request('POST', '/hooks/retell/00000000-0000-7000-8000-000000000000', {
      rawBody: '{}',
    });
    expect(retell.status).toBe(404);
    expectApiHeaders(retell, 'retell hook');
  });

  it('leave the console its own policy', async () => {
    for (const path of ['/console', '/console/', '/console/assets/nope.js']) {
      const r = await s.request('GET', path);
      expect(r.headers.get('content-security-policy'), path).toBe(CONSOLE_CSP);
      expect(r.headers.get('x-content-type-options'), path).toBe('nosniff');
    }
  });
});
