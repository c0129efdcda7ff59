// The SendGrid client (official @sendgrid/client + MailService per tenant) against the sandbox:
// send, verify (the key, then what SendGrid makes of the from address), each error path and
// injected fault, tenant isolation, and no key anywhere.
import { describe, expect, it } from 'vitest';
import { Secret } from '../../../src/crypto/secret.js';
import { ProviderError } from '../../../src/providers/provider-error.js';
import { createSendgridClient } from '../../../src/providers/sendgrid/sendgrid-client.js';
import type { SendgridCallLog } from '../../../src/providers/sendgrid/sendgrid-types.js';
import { useProviderSandbox } from '../support.js';

const KEY_A = 'SG.tenantA_key_0001.secretpart_aaaaaaaaaaaaaaaa';
const KEY_B = 'SG.tenantB_key_0002.secretpart_bbbbbbbbbbbbbbbb';
const SENDER = 'noreply@acme.example';
const PENDING = 'pending@acme.example';
const logs: SendgridCallLog[] = [];
const kit = useProviderSandbox({
  sendgrid: {
    apiKeys: [KEY_A, KEY_B],
    verifiedSenders: [SENDER, '@verified.example'],
    unverifiedSenders: [PENDING],
  },
});
const { rejection } = kit;

const client = (key: string, timeoutMs?: number, fromEmail?: string) =>
  createSendgridClient(new Secret(key), {
    mode: 'sandbox',
    sandboxUrl: kit.url,
    log: (e) => logs.push(e),
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
    ...(fromEmail === undefined ? {} : { fromEmail }),
  });
const senderOf = async (fromEmail: string, key = KEY_A) =>
  (await client(key, undefined, fromEmail).verify()).sender;
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
    // Without a from address there is nothing to say about the sender.
    await expect(client(KEY_A).verify()).resolves.toEqual({ sender: 'unknown' });
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
    // The key verifies; the sender check says what the send found.
    await expect(client(KEY_A, undefined, 'someone@unverified.example').verify()).resolves.toEqual({
      sender: 'unverified',
    });
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
    await expect(client(sender.apiKey).verify()).resolves.toEqual({ sender: 'unknown' });
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

describe('SendGrid client: the sender check', () => {
  it('verified, pending or unlisted, whatever the case of the address', async () => {
    expect(await senderOf(SENDER)).toBe('verified');
    expect(await senderOf('NoReply@ACME.example')).toBe('verified');
    // Listed, but its verification is pending: SendGrid refuses its mail.
    expect(await senderOf(PENDING)).toBe('unverified');
    expect(await senderOf('stranger@acme.example')).toBe('unverified');
    expect((await rejection(client(KEY_A).sendEmail({ ...EMAIL, from: PENDING }))).status).toBe(
      403,
    );
  });

  it('unknown when the domain is authenticated rather than the address verified', async () => {
    expect(await senderOf('anyone@verified.example')).toBe('unknown');
    // The domain must match exactly: a subdomain is not covered.
    expect(await senderOf('anyone@sub.verified.example')).toBe('unverified');
  });

  it('unknown when the key may not read the lists (403), or the account has none (404)', async () => {
    const { apiKey } = kit.sandbox.context.sendgrid.createKey({ scopes: ['mail.send'] });
    expect(await senderOf(SENDER, apiKey)).toBe('unknown');
    expect(await senderOf('stranger@acme.example', apiKey)).toBe('unknown');
    await kit.addFault({
      route: '/sendgrid/v3/verified_senders',
      action: { kind: 'error', status: 404 },
    });
    expect(await senderOf('stranger@acme.example')).toBe('unknown');
    // The sender list is readable and has no such sender, but the domain list is not.
    await kit.addFault({
      route: '/sendgrid/v3/whitelabel/domains',
      action: { kind: 'error', status: 403, message: 'access forbidden' },
    });
    expect(await senderOf('stranger@acme.example')).toBe('unknown');
  });

  it('reads every page of senders, by lastSeenID', async () => {
    const many = Array.from({ length: 230 }, (_, i) => `sender${i}@bulk.example`);
    kit.sandbox.context.sendgrid.configure({ verifiedSenders: [SENDER, ...many] });
    expect(await senderOf('sender229@bulk.example')).toBe('verified');
    const reads = kit.sandbox.context.exchanges.entries.filter((e) =>
      e.url.startsWith('/sendgrid/v3/verified_senders'),
    );
    expect(reads.map((e) => new URL(e.url, 'http://x').searchParams.get('lastSeenID'))).toEqual([
      null,
      '100',
      '200',
    ]);
  });

  it('a failing list read is the typed error, and verify fails with it', async () => {
    await kit.addFault({
      route: '/sendgrid/v3/verified_senders',
      action: { kind: 'error', status: 503 },
    });
    expect(await rejection(client(KEY_A, undefined, SENDER).verify())).toMatchObject({
      code: 'ERR_PROVIDER_UNAVAILABLE',
      operation: 'verify',
      status: 503,
      retryable: true,
    });
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
