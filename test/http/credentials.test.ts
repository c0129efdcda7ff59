// Provider credential and named secret behaviour through the real server: validation rules,
// masked views, partial updates, phone numbers, ciphertext at rest, audited use.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asTenantId } from '../../src/crypto/index.js';
import { SCOPES } from '../../src/services/tokens/scopes.js';
import { DIALECTS, startTestServer, type HttpResult, type TestServer } from '../support/server.js';
import { validCredentials } from './fixtures.js';

const err = (r: HttpResult) =>
  (r.json as { error: { code: string; message: string; requestId: string } }).error;

describe.each(DIALECTS)('credentials and secrets on %s', (dialect) => {
  let s: TestServer;
  let t = asTenantId('unset');
  let token = '';
  const base = () => `/v1/tenants/${t}`;

  beforeAll(async () => {
    s = await startTestServer(dialect, { logLevel: 'silent' });
    t = await s.createTenant('acme');
    token = await s.mintToken(t, SCOPES);
  });
  afterAll(async () => {
    await s.close();
  });

  it('validates twilio: AC sid always, auth token or API key pair, E.164, AP sid', async () => {
    const put = (body: unknown) =>
      s.request('PUT', `${base()}/credentials/twilio`, { token, body });
    const sid = 'AC' + 'a'.repeat(32);
    expect(err(await put({ authToken: 'f'.repeat(32) })).message).toBe('accountSid: is required');
    expect(err(await put({ accountSid: 'AC123', authToken: 'f'.repeat(32) })).message).toMatch(
      /^accountSid: must be AC followed by 32 hex digits/,
    );
    expect(err(await put({ accountSid: sid })).message).toBe(
      'authToken: is required unless apiKeySid and apiKeySecret are set',
    );
    expect(err(await put({ accountSid: sid, apiKeySid: 'SK' + 'b'.repeat(32) })).message).toBe(
      'apiKeySecret: is required with apiKeySid',
    );
    expect(
      err(await put({ accountSid: sid, authToken: 'f'.repeat(32), defaultFrom: '4155550123' }))
        .message,
    ).toBe('defaultFrom: must be an E.164 phone number');
    expect(
      err(await put({ accountSid: sid, authToken: 'f'.repeat(32), twimlAppSid: 'AP1' })).message,
    ).toMatch(/^twimlAppSid:/);
    const ok = await put({
      accountSid: sid,
      apiKeySid: 'SK' + 'b'.repeat(32),
      apiKeySecret: 'short-secret',
    });
    expect(ok.status).toBe(200);
    // A secret shorter than 16 characters gets no last4 hint.
    expect(ok.json).toMatchObject({
      provider: 'twilio',
      accountSid: sid,
      apiKeySid: 'SK' + 'b'.repeat(32),
      apiKeySecret: { set: true },
    });
    expect((ok.json as Record<string, Record<string, unknown>>)['apiKeySecret']).not.toHaveProperty(
      'last4',
    );
  });

  it('merges partial updates, clears with null, and shows the phone in full only to the tenant', async () => {
    const put = (body: unknown, tk = token) =>
      s.request('PUT', `${base()}/credentials/twilio`, { token: tk, body });
    const token32 = '0123456789abcdef0123456789abcdef';
    const r1 = await put({ authToken: token32, defaultFrom: '+14155554567' });
    expect(r1.status).toBe(200);
    expect(r1.json).toMatchObject({
      authToken: { set: true, last4: 'cdef' },
      apiKeySecret: { set: true },
      defaultFrom: '+14155554567',
    });
    const r2 = await put({ apiKeySid: null, apiKeySecret: null });
    expect(r2.json).not.toHaveProperty('apiKeySid');
    expect(r2.json).not.toHaveProperty('apiKeySecret');
    expect(r2.json).toMatchObject({ authToken: { set: true, last4: 'cdef' } });
    const asRoot = await s.request('GET', `${base()}/credentials/twilio`, { token: s.rootToken });
    expect((asRoot.json as Record<string, unknown>)['defaultFrom']).toBe('+1******4567');
    const asTenant = await s.request('GET', `${base()}/credentials/twilio`, { token });
    expect((asTenant.json as Record<string, unknown>)['defaultFrom']).toBe('+14155554567');
    // Removing the only auth method is refused, and nothing changes.
    expect(err(await put({ authToken: null })).message).toBe(
      'authToken: is required unless apiKeySid and apiKeySecret are set',
    );
    expect((await s.request('GET', `${base()}/credentials/twilio`, { token })).json).toMatchObject({
      authToken: { set: true },
    });
  });

  it('validates sendgrid, retell and exotel (only Exotel API hosts)', async () => {
    const put = (p: string, body: unknown) =>
      s.request('PUT', `${base()}/credentials/${p}`, { token, body });
    expect(err(await put('sendgrid', { apiKey: 'abc', fromEmail: 'a@b.co' })).message).toBe(
      'apiKey: must start with "SG."',
    );
    expect(err(await put('sendgrid', { apiKey: 'SG.x.y', fromEmail: 'nope' })).message).toBe(
      'fromEmail: must be an email address',
    );
    expect(err(await put('retell', {})).message).toBe('apiKey: is required');
    const ex = validCredentials()['exotel'] ?? {};
    for (const host of [
      'evil.example.com',
      'api.exotel.com.evil.io',
      'API.EXOTEL.COM',
      'https://api.exotel.com',
    ]) {
      expect(err(await put('exotel', { ...ex, subdomain: host })).message).toBe(
        'subdomain: must be one of api.exotel.com, api.in.exotel.com',
      );
    }
    expect((await put('exotel', ex)).status).toBe(200);
    // Every method answers an unknown provider alike (PUT has one route per provider).
    for (const method of ['GET', 'PUT', 'DELETE']) {
      const body = method === 'PUT' ? { body: {} } : {};
      const r = await s.request(method, `${base()}/credentials/nosuch`, { token, ...body });
      expect(r.status, method).toBe(400);
      expect(err(r).message, method).toBe(
        'provider: must be one of twilio, sendgrid, retell, exotel',
      );
    }
  });

  it('stores each secret field as its own envelope, never in the clear', async () => {
    const body = validCredentials()['twilio'] ?? {};
    await s.request('PUT', `${base()}/credentials/twilio`, { token, body });
    const row = await s.server.database.db
      .selectFrom('credentials')
      .selectAll()
      .where('tenant_id', '=', t)
      .where('provider', '=', 'twilio')
      .executeTakeFirstOrThrow();
    const sealed = JSON.parse(row.secrets_json) as Record<string, string>;
    expect(Object.keys(sealed).sort()).toEqual(['apiKeySecret', 'authToken', 'defaultFrom']);
    for (const env of Object.values(sealed)) expect(env).toMatch(/^tv1\./);
    expect(new Set(Object.values(sealed)).size).toBe(3);
    for (const f of ['authToken', 'apiKeySecret', 'defaultFrom'])
      expect(JSON.stringify(row)).not.toContain(body[f]);
  });

  it('decrypts for use only with an audit event naming the operation', async () => {
    const used = await s.server.services.credentials.use(t, 'twilio', 'calls.create', {
      kind: 'system',
      name: 'test',
    });
    expect(used.secrets['authToken']?.reveal()).toMatch(/^[0-9a-f]{32}$/);
    expect(String(used.secrets['authToken'])).toBe('[REDACTED]');
    const audit = await s.request('GET', `${base()}/audit?action=credential.use`, { token });
    const events = (audit.json as { events: { detail: { operation: string }; target: string }[] })
      .events;
    expect(events.at(-1)).toMatchObject({
      target: 'credential:twilio',
      detail: { operation: 'calls.create' },
    });
  });

  it('lists, deletes, and answers 404 for what is not there', async () => {
    const list = await s.request('GET', `${base()}/credentials`, { token });
    expect(
      (list.json as { credentials: { provider: string }[] }).credentials.map((c) => c.provider),
    ).toEqual(['exotel', 'twilio']);
    expect((await s.request('DELETE', `${base()}/credentials/exotel`, { token })).status).toBe(204);
    const again = await s.request('DELETE', `${base()}/credentials/exotel`, { token });
    expect(again.status).toBe(404);
    expect(err(again)).toMatchObject({
      code: 'ERR_NOT_FOUND',
      requestId: again.headers.get('x-request-id'),
    });
    expect((await s.request('GET', `${base()}/credentials/retell`, { token })).status).toBe(404);
  });

  it('keeps named secrets masked, reveals only with secrets:reveal, hints only for long values', async () => {
    const short = await s.request('PUT', `${base()}/secrets/short`, {
      token,
      body: { value: 'tiny' },
    });
    expect(short.json).toMatchObject({ name: 'short', value: { set: true } });
    expect((short.json as { value: object }).value).not.toHaveProperty('last4');
    const long = await s.request('PUT', `${base()}/secrets/db.password`, {
      token,
      body: { value: 'correct-horse-battery-staple' },
    });
    expect(long.json).toMatchObject({ value: { set: true, last4: 'aple' } });
    const reader = await s.mintToken(t, ['secrets:read']);
    expect(
      (await s.request('POST', `${base()}/secrets/db.password/reveal`, { token: reader })).status,
    ).toBe(403);
    const revealer = await s.mintToken(t, ['secrets:reveal']);
    const r = await s.request('POST', `${base()}/secrets/db.password/reveal`, { token: revealer });
    expect(r.json).toEqual({ name: 'db.password', value: 'correct-horse-battery-staple' });
    expect(r.headers.get('cache-control')).toBe('no-store');
    const list = await s.request('GET', `${base()}/secrets`, { token });
    expect((list.json as { secrets: { name: string }[] }).secrets.map((x) => x.name)).toEqual([
      'db.password',
      'short',
    ]);
    expect(list.text).not.toContain('correct-horse');
  });

  it('mints tokens with at most the minting token’s scopes, lists them without values, revokes', async () => {
    const manager = await s.mintToken(t, ['tokens:manage', 'audit:read']);
    const refused = await s.request('POST', `${base()}/tokens`, {
      token: manager,
      body: { name: 'x', scopes: ['secrets:reveal'] },
    });
    expect(refused.status).toBe(403);
    expect(err(refused).message).toBe('scopes: this token cannot grant secrets:reveal');
    const made = await s.request('POST', `${base()}/tokens`, {
      token: manager,
      body: { name: 'child', scopes: ['audit:read'], expiresAt: '2099-01-01T00:00:00Z' },
    });
    expect(made.status).toBe(201);
    const child = made.json as { id: string; token: string; prefix: string; expiresAt: string };
    expect(child.token).toMatch(/^tvk_[A-Za-z0-9_-]{43}$/);
    expect(child.token.startsWith(child.prefix)).toBe(true);
    expect(child.expiresAt).toBe('2099-01-01T00:00:00.000Z');
    expect((await s.request('GET', `${base()}/audit`, { token: child.token })).status).toBe(200);
    const list = await s.request('GET', `${base()}/tokens`, { token: manager });
    expect(list.text).not.toContain(child.token);
    expect(list.text).toContain(child.prefix);
    expect(
      (await s.request('DELETE', `${base()}/tokens/${child.id}`, { token: manager })).status,
    ).toBe(204);
    expect((await s.request('GET', `${base()}/audit`, { token: child.token })).status).toBe(401);
    // An expired token is refused like a revoked one.
    const expiring = await s.mintToken(t, ['audit:read']);
    await s.server.database.db
      .updateTable('api_tokens')
      .set({ expires_at: '2000-01-01T00:00:00.000Z' })
      .where('prefix', '=', expiring.slice(0, 12))
      .execute();
    expect((await s.request('GET', `${base()}/audit`, { token: expiring })).status).toBe(401);
    const raw = await s.server.database.db.selectFrom('api_tokens').selectAll().execute();
    expect(JSON.stringify(raw)).not.toContain(child.token);
  });

  it('answers an internal failure with a generic 500 carrying only the request id', async () => {
    const db = s.server.database.db;
    const row = await db
      .selectFrom('credentials')
      .selectAll()
      .where('tenant_id', '=', t)
      .where('provider', '=', 'twilio')
      .executeTakeFirstOrThrow();
    const sealed = JSON.parse(row.secrets_json) as Record<string, string>;
    // An envelope moved to another field no longer opens (bound to its field): a decryption failure.
    const swapped = { ...sealed, defaultFrom: sealed['authToken'] ?? '' };
    await db
      .updateTable('credentials')
      .set({ secrets_json: JSON.stringify(swapped) })
      .where('id', '=', row.id)
      .execute();
    try {
      const r = await s.request('GET', `${base()}/credentials/twilio`, { token });
      expect(r.status).toBe(500);
      expect(err(r)).toEqual({
        code: 'ERR_INTERNAL',
        message: 'internal error',
        requestId: r.headers.get('x-request-id'),
      });
    } finally {
      await db
        .updateTable('credentials')
        .set({ secrets_json: row.secrets_json })
        .where('id', '=', row.id)
        .execute();
    }
    expect((await s.request('GET', `${base()}/credentials/twilio`, { token })).status).toBe(200);
  });

  it('serves health, readiness, the OpenAPI document, request ids and generic errors', async () => {
    expect((await s.request('GET', '/healthz')).json).toEqual({ status: 'ok' });
    expect((await s.request('GET', '/readyz')).json).toEqual({ status: 'ready' });
    const doc = (await s.request('GET', '/openapi.json')).json as {
      paths: Record<string, Record<string, { requestBody?: unknown; description: string }>>;
      components: { schemas: Record<string, unknown> };
    };
    expect(Object.keys(doc.paths)).toContain('/v1/tenants/{tenantId}/credentials/twilio');
    const put = doc.paths['/v1/tenants/{tenantId}/credentials/twilio']?.['put'];
    expect(put?.description).toMatch(/Partial update/);
    expect(JSON.stringify(put?.requestBody)).toContain('accountSid');
    expect(doc.components.schemas).toHaveProperty('Error');
    const withId = await s.request('GET', '/nope', {
      headers: { 'x-request-id': 'trace-12345678' },
    });
    expect(err(withId)).toEqual({
      code: 'ERR_NOT_FOUND',
      message: 'no route GET /nope: the routes are listed at /openapi.json',
      requestId: 'trace-12345678',
    });
  });
});
