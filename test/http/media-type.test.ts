// The API's routes take JSON only: a body of any other type (text/plain included, whatever it
// holds) is 415 ERR_HTTP_MEDIA_TYPE on every route, with a valid token, and nothing is written.
// The provider callbacks under /hooks keep their own types (Twilio posts form fields).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, startTestServer, type HttpResult, type TestServer } from '../support/server.js';
import { bodyFor, pathFor, seedTenant, type TenantFixture } from './fixtures.js';

const NOT_JSON = [
  'text/plain',
  'text/plain; charset=utf-8',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/xml',
  'application/octet-stream',
];

const errorOf = (r: HttpResult) => (r.json as { error?: { code: string; message: string } }).error;

describe.each(DIALECTS)('bodies that are not JSON, on %s', (dialect) => {
  let s: TestServer;
  let f: TenantFixture;

  beforeAll(async () => {
    s = await startTestServer(dialect, { logLevel: 'silent' });
    f = await seedTenant(s, 'media');
  });
  afterAll(async () => {
    await s?.close();
  });

  it('answers 415 ERR_HTTP_MEDIA_TYPE on every route that takes a body, for every type but JSON', async () => {
    const before = await s.request('GET', `/v1/tenants/${f.tenantId}/secrets/${f.secretName}`, {
      token: s.rootToken,
    });
    const writes = s.server.routes.filter((r) => r.method !== 'GET');
    expect(writes.length).toBeGreaterThan(20);
    for (const route of writes) {
      const body = JSON.stringify(bodyFor(route, f) ?? {});
      for (const type of NOT_JSON) {
        const r = await s.request(route.method, pathFor(route, f), {
          token: s.rootToken,
          rawBody: body,
          headers: { 'content-type': type },
        });
        const name = `${route.method} ${route.url} as ${type}`;
        expect(r.status, `${name}: ${r.text}`).toBe(415);
        expect(errorOf(r), name).toEqual({
          code: 'ERR_HTTP_MEDIA_TYPE',
          message: 'body: content type must be application/json',
          requestId: r.headers.get('x-request-id'),
        });
      }
    }
    // The case by hand: a valid body for the route, sent as text/plain, writes nothing.
    const secret = `/v1/tenants/${f.tenantId}/secrets/${f.secretName}`;
    const plain = await s.request('PUT', secret, {
      token: s.rootToken,
      rawBody: JSON.stringify({ value: 'sent-as-text' }),
      headers: { 'content-type': 'text/plain' },
    });
    expect(plain.status).toBe(415);
    const after = await s.request('GET', secret, { token: s.rootToken });
    expect(after.text).toBe(before.text);
  });

  it('still takes JSON with a charset, and the provider callbacks their own types', async () => {
    const r = await s.request('PUT', `/v1/tenants/${f.tenantId}/secrets/charset`, {
      token: s.rootToken,
      rawBody: JSON.stringify({ value: 'utf8' }),
      headers: { 'content-type': 'application/json; charset=utf-8' },
    });
    expect(r.status, r.text).toBe(200);
    // Twilio posts form fields: checked for its signature (none here: 403), never refused by type.
    const twilio = await s.request('POST', `/hooks/twilio/${f.tenantId}/status`, {
      rawBody: 'CallSid=CA1&CallStatus=ringing',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(twilio.status, twilio.text).toBe(403);
    expect(errorOf(twilio)?.code).toBe('ERR_WEBHOOK_SIGNATURE_INVALID');
    const retell = await s.request('POST', `/hooks/retell/${f.tenantId}`, {
      rawBody: '{"event":"call_started"}',
      headers: { 'content-type': 'text/plain' },
    });
    expect(retell.status).not.toBe(415);
  });
});
