// The SendGrid emulator over raw HTTP: the exact wire contract (202 + X-Message-Id + empty body,
// `errors[]` bodies), the verification reads, the sender lists, the admin surface and the dump.
import { describe, expect, it } from 'vitest';
import { useTestSandbox } from '../../support/sandbox.js';
import { resetSandboxContext } from '../../../src/sandbox/sandbox-context.js';

const KEY = 'SG.emulator_key.secret_secret_secret_secret';
const kit = useTestSandbox({
  sendgrid: {
    apiKeys: [KEY],
    verifiedSenders: ['noreply@example.com', 'Billing@Example.com'],
    unverifiedSenders: ['pending@example.com'],
    authenticatedDomains: ['mail.example.org'],
  },
});

async function call(method: string, path: string, body?: unknown, key: string | null = KEY) {
  const res = await fetch(`${kit.url}/sendgrid${path}`, {
    method,
    headers: {
      ...(key === null ? {} : { authorization: `Bearer ${key}` }),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    text,
    json: text === '' ? undefined : (JSON.parse(text) as unknown),
  };
}
const MAIL = {
  from: { email: 'noreply@example.com', name: 'B' },
  subject: 's',
  personalizations: [{ to: [{ email: 'a@example.com' }] }],
  content: [{ type: 'text/plain', value: 't' }],
};

describe('SendGrid emulator', () => {
  it('accepts mail with 202, an empty body and X-Message-Id', async () => {
    const res = await call('POST', '/v3/mail/send', MAIL);
    expect(res.status).toBe(202);
    expect(res.text).toBe('');
    expect(res.headers.get('x-message-id')).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it('reports every problem of a bad request at once in errors[]', async () => {
    const res = await call('POST', '/v3/mail/send', {
      personalizations: [{ to: [{ email: 'nope' }] }],
    });
    expect(res.status).toBe(400);
    const fields = (
      res.json as { errors: { field: string | null; message: string; help: string | null }[] }
    ).errors.map((e) => e.field);
    expect(fields).toEqual(['personalizations.0.to.0.email', 'from.email', 'subject', 'content']);
    const perPersonalizationSubject = {
      ...MAIL,
      subject: undefined,
      personalizations: [{ to: [{ email: 'a@example.com' }], subject: 'p' }],
    };
    expect((await call('POST', '/v3/mail/send', perPersonalizationSubject)).status).toBe(202);
  });

  it('refuses a top-level field mail/send does not have, naming it, and sends nothing', async () => {
    const res = await call('POST', '/v3/mail/send', { ...MAIL, html: '<p>t</p>', to: 'x@y.z' });
    expect(res.status).toBe(400);
    expect(res.json).toEqual({
      errors: [
        { message: 'html is not a field of mail/send.', field: 'html', help: null },
        { message: 'to is not a field of mail/send.', field: 'to', help: null },
      ],
    });
    expect(res.headers.get('x-message-id')).toBeNull();
  });

  it('answers 401 errors[] for a missing or unknown key', async () => {
    expect(await call('GET', '/v3/scopes', undefined, null)).toMatchObject({
      status: 401,
      json: { errors: [{ message: 'authorization required', field: null, help: null }] },
    });
    expect(await call('POST', '/v3/mail/send', MAIL, 'SG.nope')).toMatchObject({
      status: 401,
      json: {
        errors: [{ message: 'The provided authorization grant is invalid, expired, or revoked' }],
      },
    });
  });

  it('answers 403 for an unverified sender; the admin config changes the verified senders', async () => {
    const unverified = { ...MAIL, from: { email: 'other@example.com' } };
    const res = await call('POST', '/v3/mail/send', unverified);
    expect(res).toMatchObject({ status: 403, json: { errors: [{ field: 'from' }] } });
    const configured = await fetch(`${kit.url}/__sandbox/sendgrid/config`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ verifiedSenders: null }),
    });
    expect(await configured.json()).toEqual({
      verifiedSenders: null,
      unverifiedSenders: ['pending@example.com'],
      authenticatedDomains: ['mail.example.org'],
    });
    expect((await call('POST', '/v3/mail/send', unverified)).status).toBe(202);
  });

  it('sends from a verified sender or an authenticated domain, never from a pending one', async () => {
    const from = (email: string) => call('POST', '/v3/mail/send', { ...MAIL, from: { email } });
    expect((await from('billing@example.com')).status).toBe(202);
    expect((await from('anyone@mail.example.org')).status).toBe(202);
    expect((await from('pending@example.com')).status).toBe(403);
    expect((await from('anyone@sub.mail.example.org')).status).toBe(403);
  });

  it('lists verified and pending senders as SendGrid does, by limit, lastSeenID and id', async () => {
    const all = await call('GET', '/v3/verified_senders');
    expect(all.status).toBe(200);
    const { results } = all.json as { results: Record<string, unknown>[] };
    expect(results.map((r) => [r['id'], r['from_email'], r['verified']])).toEqual([
      [1, 'noreply@example.com', true],
      [2, 'billing@example.com', true],
      [3, 'pending@example.com', false],
    ]);
    expect(Object.keys(results[0] ?? {}).sort()).toEqual(
      [
        'address',
        'address2',
        'city',
        'country',
        'from_email',
        'from_name',
        'id',
        'locked',
        'nickname',
        'reply_to',
        'reply_to_name',
        'state',
        'verified',
        'zip',
      ].sort(),
    );
    const ids = async (query: string) =>
      (
        (await call('GET', `/v3/verified_senders?${query}`)).json as { results: { id: number }[] }
      ).results.map((r) => r.id);
    expect(await ids('limit=2')).toEqual([1, 2]);
    expect(await ids('limit=2&lastSeenID=2')).toEqual([3]);
    expect(await ids('id=3')).toEqual([3]);
    expect(await call('GET', '/v3/verified_senders?limit=0')).toMatchObject({
      status: 400,
      json: { errors: [{ field: 'limit' }] },
    });
  });

  it('lists authenticated domains (an array) with limit, offset and a domain search', async () => {
    await kit.sandbox.admin('POST', 'sendgrid/config', {
      authenticatedDomains: ['mail.example.org', 'example.net'],
    });
    const all = await call('GET', '/v3/whitelabel/domains');
    expect(all.status).toBe(200);
    expect(all.json).toMatchObject([
      { id: 1, domain: 'mail.example.org', valid: true, subdomain: 'em1000' },
      { id: 2, domain: 'example.net', valid: true },
    ]);
    const domains = async (query: string) =>
      ((await call('GET', `/v3/whitelabel/domains?${query}`)).json as { domain: string }[]).map(
        (d) => d.domain,
      );
    expect(await domains('domain=example.net')).toEqual(['example.net']);
    expect(await domains('limit=1&offset=1')).toEqual(['example.net']);
    expect(await domains('offset=5')).toEqual([]);
  });

  it('answers 403 to the sender lists for a key without whitelabel.read', async () => {
    const { apiKey } = kit.sandbox.context.sendgrid.createKey({ scopes: ['mail.send'] });
    for (const path of ['/v3/verified_senders', '/v3/whitelabel/domains']) {
      expect(await call('GET', path, undefined, apiKey)).toMatchObject({
        status: 403,
        json: { errors: [{ message: 'access forbidden' }] },
      });
    }
  });

  it('refuses a sender configuration that is not lists of strings, naming the field', async () => {
    for (const [field, value] of [
      ['verifiedSenders', 'a@example.com'],
      ['unverifiedSenders', null],
      ['authenticatedDomains', [1]],
    ] as const) {
      const r = await kit.sandbox.admin('POST', 'sendgrid/config', { [field]: value });
      expect(r.status).toBe(400);
      expect((r.body as { error: string }).error).toContain(`"${field}"`);
    }
  });

  it('serves the cheap reads: scopes for any key, the account for a key with the scope', async () => {
    expect(await call('GET', '/v3/scopes')).toMatchObject({
      status: 200,
      json: { scopes: expect.arrayContaining(['mail.send']) as unknown },
    });
    expect(await call('GET', '/v3/user/account')).toMatchObject({
      status: 200,
      json: { type: 'free' },
    });
    const created = await fetch(`${kit.url}/__sandbox/sendgrid/keys`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ scopes: ['mail.send'] }),
    });
    const { apiKey } = (await created.json()) as { apiKey: string };
    expect(apiKey.startsWith('SG.')).toBe(true);
    expect((await call('GET', '/v3/user/account', undefined, apiKey)).status).toBe(403);
    expect((await call('POST', '/v3/mail/send', MAIL, apiKey)).status).toBe(202);
  });

  it('dumps keys as digests and the accepted messages; reset restores the seed', async () => {
    await call('POST', '/v3/mail/send', MAIL);
    const state = await (await fetch(`${kit.url}/__sandbox/state`)).text();
    expect(state).not.toContain(KEY);
    expect(JSON.parse(state)).toMatchObject({
      sendgrid: {
        apiKeys: [{ digest: expect.stringMatching(/^sha256:/) as unknown }],
        messages: [{ from: 'noreply@example.com' }],
      },
    });
    resetSandboxContext(kit.sandbox.context);
    expect(kit.sandbox.context.sendgrid.messages).toHaveLength(0);
    expect((await call('GET', '/v3/scopes')).status).toBe(200);
  });

  it('answers an injected fault with errors[]', async () => {
    kit.sandbox.context.faults.add({
      route: '/sendgrid/v3/mail/send',
      action: { kind: 'error', status: 429, message: 'too many requests' },
    });
    expect(await call('POST', '/v3/mail/send', MAIL)).toMatchObject({
      status: 429,
      json: { errors: [{ message: 'too many requests', field: null, help: null }] },
    });
  });
});
