// The SendGrid emulator over raw HTTP: the exact wire contract (202 + X-Message-Id + empty body,
// `errors[]` bodies), the verification reads, the admin surface and the state dump.
import { describe, expect, it } from 'vitest';
import { useTestSandbox } from '../../support/sandbox.js';
import { resetSandboxContext } from '../../../src/sandbox/sandbox-context.js';

const KEY = 'SG.emulator_key.secret_secret_secret_secret';
const kit = useTestSandbox({
  sendgrid: { apiKeys: [KEY], verifiedSenders: ['noreply@example.com'] },
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
    expect(await configured.json()).toEqual({ verifiedSenders: null });
    expect((await call('POST', '/v3/mail/send', unverified)).status).toBe(202);
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
