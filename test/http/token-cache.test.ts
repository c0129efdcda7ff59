// The token lookup cache: a token revoked or a tenant deleted through this node stops working on
// the next request; a change made elsewhere (another node, the CLI on the database) is picked up
// once the cached lookup is older than its TTL; expiry is checked on every request. Time is an
// injected clock, never a wait.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokenService, TOKEN_CACHE_TTL_MS } from '../../src/services/tokens/token-service.js';
import { DIALECTS, startTestServer, type TestServer } from '../support/server.js';

describe.each(DIALECTS)('token lookup cache on %s', (dialect) => {
  let s: TestServer;

  beforeAll(async () => {
    s = await startTestServer(dialect, { logLevel: 'silent' });
  });
  afterAll(async () => {
    await s.close();
  });

  const tokenIdOf = async (tenantId: string, token: string): Promise<string> => {
    const row = await s.server.database.db
      .selectFrom('api_tokens')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .where('prefix', '=', token.slice(0, 12))
      .executeTakeFirstOrThrow();
    return row.id;
  };

  it('refuses a token on the request right after it is revoked through this node', async () => {
    const t = await s.createTenant('revoke');
    const token = await s.mintToken(t, ['audit:read']);
    const audit = () => s.request('GET', `/v1/tenants/${t}/audit`, { token });
    expect((await audit()).status).toBe(200);
    expect((await audit()).status).toBe(200); // now served from the cache
    const id = await tokenIdOf(t, token);
    const r = await s.request('DELETE', `/v1/tenants/${t}/tokens/${id}`, { token: s.rootToken });
    expect(r.status).toBe(204);
    expect((await audit()).status).toBe(401);
  });

  it("refuses a tenant's tokens on the request right after the tenant is deleted", async () => {
    const t = await s.createTenant('delete');
    const token = await s.mintToken(t, ['audit:read']);
    expect((await s.request('GET', `/v1/tenants/${t}/audit`, { token })).status).toBe(200);
    const r = await s.request('DELETE', `/v1/tenants/${t}`, { token: s.rootToken });
    expect(r.status).toBe(204);
    expect((await s.request('GET', `/v1/tenants/${t}/audit`, { token })).status).toBe(401);
  });

  it('picks up a revocation made elsewhere once the cached lookup is older than the TTL', async () => {
    let now = Date.now();
    const tokens = createTokenService({
      db: s.server.database.db,
      audit: s.server.services.audit,
      rootTokenHash: undefined,
      clock: () => now,
    });
    const t = await s.createTenant('elsewhere');
    const token = await s.mintToken(t, ['audit:read']);
    expect(await tokens.authenticate(token)).toMatchObject({ kind: 'tenant', tenantId: t });
    await s.server.database.db
      .updateTable('api_tokens')
      .set({ revoked_at: new Date(now).toISOString() })
      .where('id', '=', await tokenIdOf(t, token))
      .execute();
    now += TOKEN_CACHE_TTL_MS - 1;
    expect(await tokens.authenticate(token)).toMatchObject({ kind: 'tenant' }); // within the bound
    now += 1;
    expect(await tokens.authenticate(token)).toBeUndefined();
  });

  it('checks expiry on every request, cached or not', async () => {
    let now = Date.now();
    const tokens = createTokenService({
      db: s.server.database.db,
      audit: s.server.services.audit,
      rootTokenHash: undefined,
      clock: () => now,
    });
    const t = await s.createTenant('expiry');
    const token = await s.mintToken(t, ['audit:read']);
    const expiresAt = new Date(now + 10).toISOString();
    await s.server.database.db
      .updateTable('api_tokens')
      .set({ expires_at: expiresAt })
      .where('id', '=', await tokenIdOf(t, token))
      .execute();
    expect(await tokens.authenticate(token)).toMatchObject({ expiresAt });
    now = Date.parse(expiresAt); // cached, and expired at this instant
    expect(await tokens.authenticate(token)).toBeUndefined();
  });

  it('revoking an already revoked token through this node stops it here at once', async () => {
    const t = await s.createTenant('twice');
    const token = await s.mintToken(t, ['audit:read']);
    expect((await s.request('GET', `/v1/tenants/${t}/audit`, { token })).status).toBe(200);
    const id = await tokenIdOf(t, token);
    // Revoked on the database directly (the CLI, another node): this node still has it cached.
    await s.server.database.db
      .updateTable('api_tokens')
      .set({ revoked_at: new Date().toISOString() })
      .where('id', '=', id)
      .execute();
    const r = await s.request('DELETE', `/v1/tenants/${t}/tokens/${id}`, { token: s.rootToken });
    expect(r.status).toBe(204);
    expect((await s.request('GET', `/v1/tenants/${t}/audit`, { token })).status).toBe(401);
  });
});
