// Every route × every scope, the root token, no token, a revoked token, and the cross-tenant
// matrix: all derived from the server's own route table, so a new route is covered automatically.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RouteSpec } from '../../src/http/route-spec.js';
import { SCOPES } from '../../src/services/tokens/scopes.js';
import { DIALECTS, startTestServer, type TestServer } from '../support/server.js';
import {
  bodyFor,
  pathFor,
  permittedStatus,
  restore,
  seedTenant,
  type TenantFixture,
} from './fixtures.js';

describe.each(DIALECTS)('route matrix on %s', (dialect) => {
  let s: TestServer;
  let a: TenantFixture;
  let b: TenantFixture;
  let routes: RouteSpec[];
  const tokensA = new Map<string, string>();
  let allScopesB = '';

  beforeAll(async () => {
    s = await startTestServer(dialect, { logLevel: 'warn' });
    a = await seedTenant(s, 'alpha');
    b = await seedTenant(s, 'bravo');
    for (const scope of SCOPES) tokensA.set(scope, await s.mintToken(a.tenantId, [scope]));
    allScopesB = await s.mintToken(b.tenantId, SCOPES);
    routes = s.server.routes.filter((r) => r.access.kind !== 'public');
  });
  afterAll(async () => {
    await s.close();
  });

  async function call(route: RouteSpec, token: string | undefined, f: TenantFixture) {
    return s.request(route.method, pathFor(route, f), { token, body: bodyFor(route, f) });
  }

  it('covers every tenant route of the issue', () => {
    const ids = routes.map((r) => r.operationId);
    for (const id of [
      'createTenant',
      'createToken',
      'revokeToken',
      'putTwilioCredentials',
      'getCredentials',
      'revealSecret',
      'listTenantAudit',
      'listOperatorAudit',
      'getSettings',
      'updateSettings',
      'createPhone',
      'listPhones',
      'getPhone',
      'updatePhone',
      'deletePhone',
      'lookupPhone',
      'putPlatformTwilioCredentials',
      'getPlatformTwilioCredentials',
      'deletePlatformTwilioCredentials',
      'createTwilioSubaccount',
      'getTokenIdentity',
      'getTenantKeys',
      'rotateTenantKey',
      'verifyTenantAudit',
      'verifyOperatorAudit',
    ]) {
      expect(ids).toContain(id);
    }
  });

  it('allows each tenant route to exactly its scope and refuses every other scope with 403', async () => {
    for (const route of routes) {
      if (route.access.kind === 'public') continue;
      for (const scope of SCOPES) {
        const r = await call(route, tokensA.get(scope), a);
        const allowed =
          route.access.kind === 'authenticated' ||
          (route.access.kind === 'tenant' &&
            route.access.scope === scope &&
            route.access.also === undefined);
        const label = `${route.method} ${route.url} with ${scope}`;
        if (allowed) {
          expect(r.status, `${label}: ${r.text}`).toBe(permittedStatus(route));
          a = await restore(s, route, a);
        } else {
          expect(r.status, label).toBe(403);
          expect((r.json as { error: { code: string } }).error.code, label).toBe(
            'ERR_AUTH_FORBIDDEN',
          );
        }
      }
    }
  });

  it('allows a route needing two scopes to a token with both, and to neither alone', async () => {
    const two = routes.filter((r) => r.access.kind === 'tenant' && r.access.also !== undefined);
    expect(two.map((r) => r.operationId).sort()).toEqual(['attachPhone', 'purchasePhone']);
    for (const route of two) {
      if (route.access.kind !== 'tenant' || route.access.also === undefined) continue;
      const both = await s.mintToken(a.tenantId, [route.access.scope, route.access.also]);
      const r = await call(route, both, a);
      expect(r.status, `${route.operationId}: ${r.text}`).toBe(permittedStatus(route));
    }
  });

  it('gives the root token every operator and tenant-admin route, and refuses reveal', async () => {
    for (const route of routes) {
      let f = a;
      if (route.operationId === 'deleteTenant')
        f = { ...a, tenantId: await s.createTenant('doomed') };
      const r = await call(route, s.rootToken, f);
      const allowed =
        route.access.kind === 'root' ||
        route.access.kind === 'authenticated' ||
        (route.access.kind === 'tenant' && route.access.root);
      expect(r.status, `${route.method} ${route.url}: ${r.text}`).toBe(
        allowed ? permittedStatus(route) : 403,
      );
      if (allowed) a = await restore(s, route, a);
    }
  });

  it('answers 401 without a token, with a malformed one, an unknown one and a revoked one', async () => {
    const revoked = await s.mintToken(a.tenantId, SCOPES);
    const list = await s.request('GET', `/v1/tenants/${a.tenantId}/tokens`, { token: s.rootToken });
    const id = (list.json as { tokens: { id: string; prefix: string }[] }).tokens.find((t) =>
      revoked.startsWith(t.prefix),
    )?.id;
    await s.request('DELETE', `/v1/tenants/${a.tenantId}/tokens/${id}`, { token: s.rootToken });
    for (const route of routes) {
      for (const token of [undefined, 'not a token', 'tvk_unknown', revoked]) {
        const r = await call(route, token, a);
        expect(r.status, `${route.url} ${token}`).toBe(401);
        expect((r.json as { error: { code: string } }).error.code).toMatch(
          /^ERR_AUTH_(MISSING|INVALID)$/,
        );
      }
    }
  });

  it("gives another tenant's token 404 on every tenant route, whatever the ids, and nothing of A", async () => {
    const secretsOfA = [
      a.tenantId,
      a.secretName,
      a.tokenId,
      a.phoneId ?? '',
      a.phoneNumber ?? '',
      'alpha',
    ];
    for (const route of routes) {
      if (!route.url.includes(':tenantId')) {
        const r = await call(route, allScopesB, a);
        // Any token may ask who it is: B's answer is about B, with nothing of A in it.
        expect(r.status, route.url).toBe(route.access.kind === 'authenticated' ? 200 : 403);
        for (const leak of secretsOfA) expect(r.text).not.toContain(leak);
        continue;
      }
      // A's path and object ids, then A's tenant with B's object ids, then ids that do not exist.
      const variants: TenantFixture[] = [
        a,
        { ...b, tenantId: a.tenantId },
        { tenantId: '00000000-0000-7000-8000-000000000000', secretName: 'nope', tokenId: 'nope' },
        { tenantId: 'not-a-uuid', secretName: '..', tokenId: '%20' },
      ];
      for (const f of variants) {
        const r = await call(route, allScopesB, f);
        expect(r.status, `${route.method} ${pathFor(route, f)}: ${r.text}`).toBe(404);
        for (const leak of secretsOfA) expect(r.text).not.toContain(leak);
      }
    }
    // Nothing of A was changed: its credentials and secret are still there.
    const check = await s.request('GET', `/v1/tenants/${a.tenantId}/secrets/${a.secretName}`, {
      token: s.rootToken,
    });
    expect(check.status).toBe(200);
  });
});
