// Every error answer explains itself: each code the error handler answers carries a message (a
// typed error raised without one gets its status's words), a provider failure reaching a client
// says what failed, a non-Bearer Authorization says a Bearer token was expected, and a client's
// unknown key names are echoed cut and escaped (short printable ASCII, whatever was sent).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TelvaultError } from '../../src/errors.js';
import { HTTP_ERROR_CODES, toHttpError } from '../../src/http/error-handler.js';
import { ProviderError, type ProviderName } from '../../src/providers/provider-error.js';
import { SCOPES } from '../../src/services/tokens/scopes.js';
import { startTestServer, type HttpResult, type TestServer } from '../support/server.js';

const messageOf = (r: HttpResult) => (r.json as { error: { message: string } }).error.message;

describe('every error code the handler answers', () => {
  it('has a client status and a message, even when raised without one', () => {
    expect(HTTP_ERROR_CODES.length).toBeGreaterThan(15);
    for (const code of HTTP_ERROR_CODES) {
      for (const message of ['', '   ']) {
        const e = toHttpError(new TelvaultError(code, message));
        expect(e.internal, code).toBe(false);
        expect(e.status, code).toBeGreaterThanOrEqual(400);
        expect(e.status, code).toBeLessThan(600);
        expect(e.message.trim(), code).not.toBe('');
      }
      expect(toHttpError(new TelvaultError(code, 'said')).message, code).toBe('said');
    }
  });

  it('has a message for every provider failure, with a status, a reason or no answer', () => {
    const providers: ProviderName[] = ['twilio', 'retell', 'exotel', 'sendgrid'];
    const codes = HTTP_ERROR_CODES.filter((c) => c.startsWith('ERR_PROVIDER_'));
    expect(codes).toContain('ERR_PROVIDER_FORBIDDEN');
    for (const provider of providers) {
      for (const code of codes) {
        for (const details of [
          { status: 403, providerCode: 20003 },
          { status: undefined, providerCode: undefined },
          { status: undefined, providerCode: undefined, reason: 'the key lacks a scope' },
        ]) {
          const e = toHttpError(
            new ProviderError(code, {
              provider,
              operation: 'verify',
              retryable: false,
              ...details,
            }),
          );
          expect(e.message, `${provider} ${code}`).toMatch(
            new RegExp(`^${provider} verify failed: .+`),
          );
        }
      }
    }
  });
});

describe('error messages through the server', () => {
  let s: TestServer;
  let tenantId = '';
  let token = '';

  beforeAll(async () => {
    s = await startTestServer('sqlite', { logLevel: 'silent' });
    tenantId = await s.createTenant('messages');
    token = await s.mintToken(tenantId, SCOPES);
  });
  afterAll(async () => {
    await s.close();
  });

  it('tells a client using another scheme that a Bearer token is expected', async () => {
    const path = `/v1/tenants/${tenantId}/secrets`;
    for (const authorization of [
      'Basic dXNlcjpwYXNz',
      'Digest username="x"',
      'Token abc',
      'tvk_x',
    ]) {
      const r = await s.request('GET', path, { headers: { authorization } });
      expect(r.status, authorization).toBe(401);
      expect((r.json as { error: { code: string } }).error.code).toBe('ERR_AUTH_INVALID');
      expect(messageOf(r), authorization).toBe('authorization: expected a Bearer token');
    }
    for (const authorization of [
      'Bearer not a token',
      'Bearer tvk_unknown',
      'bearer tvk_unknown',
    ]) {
      const r = await s.request('GET', path, { headers: { authorization } });
      expect(messageOf(r), authorization).toBe(
        'authorization: the token is invalid, expired or revoked',
      );
    }
    const ok = await s.request('GET', path, { headers: { authorization: `bearer ${token}` } });
    expect(ok.status).toBe(200);
  });

  it('echoes unknown key names cut to 64 units and escaped, and at most five of them', async () => {
    const put = (body: Record<string, unknown>) =>
      s.request('PUT', `/v1/tenants/${tenantId}/secrets/echo`, {
        token,
        body: { value: 'v', ...body },
      });
    const cases: [Record<string, unknown>, string][] = [
      [{ plain_key: 1 }, 'plain_key: unknown field'],
      [{ 'a\nb': 1 }, '"a\\u000ab": unknown field'],
      [{ 'x\u202ey': 1 }, '"x\\u202ey": unknown field'],
      [{ 'q"\\': 1 }, '"q\\"\\\\": unknown field'],
      [{ 'a: b; c, d': 1 }, '"a\\u003a b\\u003b c\\u002c d": unknown field'],
      [{ 'é\u{1F600}': 1 }, '"\\u00e9\\ud83d\\ude00": unknown field'],
      [{ ['k'.repeat(100)]: 1 }, `"${'k'.repeat(64)}"...: unknown field`],
      [{ '': 1 }, '"": unknown field'],
      [
        Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`u${i}`, 1])),
        'u0, u1, u2, u3, u4 and 3 more: unknown field',
      ],
    ];
    for (const [body, message] of cases) {
      const r = await put(body);
      expect(r.status, message).toBe(400);
      expect(messageOf(r)).toBe(message);
      expect(messageOf(r)).toMatch(/^[\x20-\x7e]+$/);
    }
    // The escape is a JSON string: a client gets the name back exactly.
    const r = await put({ 'a\u0001"\u00ff': 1 });
    const quoted = /^("(?:[^"\\]|\\.)*")/.exec(messageOf(r))?.[1] ?? '';
    expect(JSON.parse(quoted)).toBe('a\u0001"\u00ff');
  });
});
