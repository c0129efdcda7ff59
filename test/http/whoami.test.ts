// GET /v1/token through the real server, on SQLite and PostgreSQL: who the presented token is, for
// the root token and for tenant tokens whatever their scopes; never the token, its prefix or its
// hash; 401 for a missing, unknown, revoked or expired token, counted by the failed-authentication
// limit like every other route (429 over it).
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, startTestServer, type TestServer } from '../support/server.js';

describe.each(DIALECTS)('GET /v1/token on %s', (dialect) => {
  let s: TestServer;
  let tenantId: string;

  beforeAll(async () => {
    s = await startTestServer(dialect, { logLevel: 'warn' });
    const made = await s.request('POST', '/v1/tenants', {
      token: s.rootToken,
      body: { name: 'Acme Voice', externalId: 'acme-42' },
    });
    tenantId = (made.json as { id: string }).id;
  });
  afterAll(async () => {
    await s?.close();
  });

  it('answers the root token as root, and nothing else', async () => {
    const r = await s.request('GET', '/v1/token', { token: s.rootToken });
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ kind: 'root' });
  });

  it("answers a tenant token's tenant, name, sorted scopes and expiry, never the token", async () => {
    const expiresAt = new Date(Date.now() + 3_600_000).toISOString();
    const created = await s.request('POST', `/v1/tenants/${tenantId}/tokens`, {
      token: s.rootToken,
      body: { name: 'console', scopes: ['phones:read', 'audit:read', 'keys:read'], expiresAt },
    });
    const { token, id, prefix } = created.json as { token: string; id: string; prefix: string };
    const r = await s.request('GET', '/v1/token', { token });
    expect(r.status, r.text).toBe(200);
    expect(r.json).toEqual({
      kind: 'tenant',
      tenantId,
      tenantName: 'Acme Voice',
      tenantExternalId: 'acme-42',
      tokenId: id,
      tokenName: 'console',
      scopes: ['audit:read', 'keys:read', 'phones:read'],
      expiresAt,
    });
    const hash = createHash('sha256').update(token, 'utf8').digest();
    for (const leak of [
      token,
      prefix,
      token.slice(4),
      hash.toString('hex'),
      hash.toString('base64'),
    ])
      expect(r.text).not.toContain(leak);
  });

  it('needs no scope: a token with one unrelated scope, and a tenant without an external id', async () => {
    const other = await s.createTenant('plain');
    const token = await s.mintToken(other, ['webhooks:verify']);
    const r = await s.request('GET', '/v1/token', { token });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({
      kind: 'tenant',
      tenantId: other,
      tenantExternalId: null,
      scopes: ['webhooks:verify'],
      expiresAt: null,
    });
  });

  it('answers 401 without a token, with an unknown one and with a revoked one', async () => {
    const token = await s.mintToken(tenantId, ['audit:read']);
    const list = await s.request('GET', `/v1/tenants/${tenantId}/tokens`, { token: s.rootToken });
    const id = (list.json as { tokens: { id: string; prefix: string }[] }).tokens.find((t) =>
      token.startsWith(t.prefix),
    )?.id;
    expect((await s.request('GET', '/v1/token', { token })).status).toBe(200);
    await s.request('DELETE', `/v1/tenants/${tenantId}/tokens/${id}`, { token: s.rootToken });
    for (const bad of [undefined, 'tvk_unknown', token, `${s.rootToken}x`]) {
      const r = await s.request('GET', '/v1/token', { token: bad });
      expect(r.status, String(bad)).toBe(401);
      expect((r.json as { error: { code: string } }).error.code).toMatch(
        /^ERR_AUTH_(MISSING|INVALID)$/,
      );
    }
  });
});

describe('GET /v1/token and the failed-authentication limit', () => {
  it('counts bad tokens like every route: 429 with Retry-After over the limit, a valid token still answered', async () => {
    const s = await startTestServer('sqlite', {
      logLevel: 'warn',
      config: { authFailures: { limit: 3, windowSeconds: 60 } },
    });
    try {
      const statuses = [];
      for (let i = 0; i < 5; i++) {
        statuses.push((await s.request('GET', '/v1/token', { token: 'tvk_wrong' })).status);
      }
      expect(statuses).toEqual([401, 401, 401, 429, 429]);
      const limited = await s.request('GET', '/v1/token');
      expect(limited.status).toBe(429);
      expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
      expect((await s.request('GET', '/v1/token', { token: s.rootToken })).status).toBe(200);
    } finally {
      await s.close();
    }
  });
});
