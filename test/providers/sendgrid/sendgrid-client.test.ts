// The SendGrid client (official @sendgrid/client + MailService per tenant) against the sandbox:
// send, verify, each error path and injected fault, tenant isolation, and no key anywhere.
import { describe, expect, it } from 'vitest';
import { Secret } from '../../../src/crypto/secret.js';
import { ProviderError } from '../../../src/providers/provider-error.js';
import { createSendgridClient } from '../../../src/providers/sendgrid/sendgrid-client.js';
import type { SendgridCallLog } from '../../../src/providers/sendgrid/sendgrid-types.js';
import { useProviderSandbox } from '../support.js';

const KEY_A = 'SG.tenantA_key_0001.secretpart_aaaaaaaaaaaaaaaa';
const KEY_B = 'SG.tenantB_key_0002.secretpart_bbbbbbbbbbbbbbbb';
const SENDER = 'noreply@acme.example';
const logs: SendgridCallLog[] = [];
const kit = useProviderSandbox({
  sendgrid: { apiKeys: [KEY_A, KEY_B], verifiedSenders: [SENDER, '@verified.example'] },
});
const { rejection } = kit;

const client = (key: string, timeoutMs?: number) =>
  createSendgridClient(new Secret(key), {
    mode: 'sandbox',
    sandboxUrl: kit.url,
    log: (e) => logs.push(e),
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
  });
const EMAIL = { to: 'customer@example.com', from: SENDER, subject: 'Hello', text: 'Hi there' };

describe('SendGrid client', () => {
  it('sends (202) and returns the X-Message-Id; the message is recorded', async () => {
    const { messageId } = await client(KEY_A).sendEmail({ ...EMAIL, html: '<p>Hi</p>' });
    expect(messageId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(kit.sandbox.context.sendgrid.messages).toMatchObject([
      { messageId, from: SENDER, to: ['customer@example.com'], subject: 'Hello' },
    ]);
    const domainSender = await client(KEY_A).sendEmail({
      ...EMAIL,
      from: { email: 'ops@verified.example', name: 'Ops' },
      to: ['a@example.com', 'b@example.com'],
    });
    expect(domainSender.messageId).toBeDefined();
  });

  it('verifies a key; an unknown key is credentials invalid', async () => {
    await expect(client(KEY_A).verify()).resolves.toBeUndefined();
    const error = await rejection(client('SG.unknown.key').verify());
    expect(error).toMatchObject({
      code: 'ERR_PROVIDER_CREDENTIALS_INVALID',
      status: 401,
      retryable: false,
    });
    expect((await rejection(client('SG.unknown.key').sendEmail(EMAIL))).status).toBe(401);
  });

  it('an unverified sender with a valid key is forbidden, not a credentials problem', async () => {
    const error = await rejection(
      client(KEY_A).sendEmail({ ...EMAIL, from: 'someone@unverified.example' }),
    );
    expect(error).toMatchObject({ code: 'ERR_PROVIDER_FORBIDDEN', status: 403, retryable: false });
    await expect(client(KEY_A).verify()).resolves.toBeUndefined();
  });

  it('a key without the mail.send scope is forbidden: verify says so before a send does', async () => {
    const { apiKey } = kit.sandbox.context.sendgrid.createKey({ scopes: ['scopes.read'] });
    // The key itself works: it reads its scopes.
    await expect(client(apiKey).scopes()).resolves.toEqual(['scopes.read']);
    const verified = await rejection(client(apiKey).verify());
    expect(verified).toMatchObject({
      code: 'ERR_PROVIDER_FORBIDDEN',
      provider: 'sendgrid',
      operation: 'verify',
      status: undefined,
      retryable: false,
    });
    expect(verified.message).toContain('mail.send');
    expect(logs.at(-1)).toMatchObject({
      operation: 'verify',
      ok: false,
      code: 'ERR_PROVIDER_FORBIDDEN',
    });
    expect((await rejection(client(apiKey).sendEmail(EMAIL))).code).toBe('ERR_PROVIDER_FORBIDDEN');
    // A restricted key that may send verifies.
    const sender = kit.sandbox.context.sendgrid.createKey({ scopes: ['mail.send'] });
    await expect(client(sender.apiKey).verify()).resolves.toBeUndefined();
    await expect(client(KEY_A).scopes()).resolves.toContain('mail.send');
  });

  it('an invalid message is rejected (400 errors[])', async () => {
    const error = await rejection(client(KEY_A).sendEmail({ ...EMAIL, to: 'not-an-address' }));
    expect(error).toMatchObject({ code: 'ERR_PROVIDER_REJECTED', status: 400 });
  });

  it('tenants do not share keys: concurrent sends with a good and a bad key', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 6 }, (_, i) =>
        client(i % 2 === 0 ? KEY_B : 'SG.revoked.key').sendEmail(EMAIL),
      ),
    );
    expect(results.map((r) => r.status)).toEqual([
      'fulfilled',
      'rejected',
      'fulfilled',
      'rejected',
      'fulfilled',
      'rejected',
    ]);
    expect(kit.sandbox.context.sendgrid.messages).toHaveLength(3);
  });

  it('refuses sandbox mode without a sandbox URL', () => {
    expect(() => createSendgridClient(new Secret(KEY_A), { mode: 'sandbox' })).toThrow(
      ProviderError,
    );
  });
});

describe('SendGrid client: injected faults', () => {
  const route = '/sendgrid/v3/mail/send';
  it.each([
    { status: 500, code: 'ERR_PROVIDER_UNAVAILABLE', retryable: true },
    { status: 503, code: 'ERR_PROVIDER_UNAVAILABLE', retryable: true },
    { status: 429, code: 'ERR_PROVIDER_RATE_LIMITED', retryable: true },
    { status: 401, code: 'ERR_PROVIDER_CREDENTIALS_INVALID', retryable: false },
    { status: 403, code: 'ERR_PROVIDER_FORBIDDEN', retryable: false },
    { status: 413, code: 'ERR_PROVIDER_REJECTED', retryable: false },
  ] as const)('an injected $status → $code', async (c) => {
    await kit.addFault({ route, action: { kind: 'error', status: c.status } });
    const error = await rejection(client(KEY_A).sendEmail(EMAIL));
    expect(error).toMatchObject({ code: c.code, status: c.status, retryable: c.retryable });
    expect(kit.sandbox.context.sendgrid.messages).toHaveLength(0);
  });

  it('a dropped connection and a timeout are unavailable and retryable', async () => {
    kit.sandbox.context.faults.add({ route, action: { kind: 'drop' } });
    const dropped = await rejection(client(KEY_A).sendEmail(EMAIL));
    expect(dropped).toMatchObject({
      code: 'ERR_PROVIDER_UNAVAILABLE',
      status: undefined,
      retryable: true,
    });
    kit.sandbox.context.faults.add({
      route: '/sendgrid/v3/scopes',
      action: { kind: 'latency', ms: 500 },
    });
    expect((await rejection(client(KEY_A, 100).verify())).code).toBe('ERR_PROVIDER_UNAVAILABLE');
  });
});

describe('SendGrid secrets', () => {
  it('no response, log entry or error carries an API key', () => {
    expect(kit.served.length).toBeGreaterThan(10);
    const seen = kit.seen(logs);
    for (const secret of [KEY_A, KEY_B, 'SG.unknown.key', 'SG.revoked.key'])
      expect(seen).not.toContain(secret);
  });
});
