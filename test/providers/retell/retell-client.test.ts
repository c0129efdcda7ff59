// The Retell client (official retell-sdk) against the sandbox: every operation, paging, and each
// error path as a typed ProviderError.
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { Secret } from '../../../src/crypto/secret.js';
import { ProviderError } from '../../../src/providers/provider-error.js';
import {
  createRetellClient,
  type RetellClient,
} from '../../../src/providers/retell/retell-client.js';
import type { RetellCallLog } from '../../../src/providers/retell/retell-types.js';
import { useProviderSandbox } from '../support.js';

const KEY = 'key_retell_client_test_0001';
const OTHER_KEY = 'key_retell_client_test_0002';
const SIP_PASSWORD = 'SipPassw0rdOne-xyz';
const SIP_PASSWORD_2 = 'SipPassw0rdTwo-abc';
const logs: RetellCallLog[] = [];
const kit = useProviderSandbox({ retell: { apiKeys: [KEY, OTHER_KEY] } });
const { rejection, addFault } = kit;

let client: RetellClient;

const numberOf = (i: number): string => `+1415555${String(100 + i).padStart(4, '0')}`;

beforeAll(() => {
  client = createRetellClient(new Secret(KEY), {
    mode: 'sandbox',
    sandboxUrl: kit.url,
    readRetries: 0,
    log: (entry) => logs.push(entry),
  });
});

describe('Retell client', () => {
  it('imports with SIP auth: auth_username shows, the password never does, and it verifies', async () => {
    const view = await client.importNumber({
      phoneNumber: numberOf(1),
      terminationUri: 'acme-1.pstn.twilio.com',
      sipAuth: { username: 'acme_user', password: new Secret(SIP_PASSWORD) },
      nickname: 'acme',
      inboundAgents: [{ agentId: 'agent_in', weight: 1 }],
    });
    expect(view).toMatchObject({
      phoneNumber: numberOf(1),
      phoneNumberType: 'custom',
      terminationUri: 'acme-1.pstn.twilio.com',
      authUsername: 'acme_user',
      transport: 'TCP',
      inboundAgents: [{ agentId: 'agent_in', weight: 1 }],
    });
    expect(JSON.stringify(view)).not.toContain(SIP_PASSWORD);
    expect(kit.sandbox.context.retell.verifySipAuth(numberOf(1), 'acme_user', SIP_PASSWORD)).toBe(
      true,
    );
    expect(kit.sandbox.context.retell.verifySipAuth(numberOf(1), 'acme_user', 'wrong')).toBe(false);
    // The same check over the sandbox admin surface, as a platform's own tests would make it.
    const verify = (password: string) =>
      kit.sandbox.admin('POST', 'retell/verify-sip', {
        phoneNumber: numberOf(1),
        username: 'acme_user',
        password,
      });
    expect(await verify(SIP_PASSWORD)).toEqual({ status: 200, body: { ok: true } });
    expect(await verify('wrong')).toEqual({ status: 200, body: { ok: false } });
    expect(
      (await kit.sandbox.admin('POST', 'retell/verify-sip', { phoneNumber: 'x' })).status,
    ).toBe(400);
  });

  it('updates the SIP auth with the unprefixed fields: the old password stops verifying', async () => {
    await client.importNumber({ phoneNumber: numberOf(2), terminationUri: 'a.pstn.twilio.com' });
    const before = await client.getNumber(numberOf(2));
    expect(before?.authUsername).toBeNull();
    const updated = await client.updateNumber(numberOf(2), {
      terminationUri: 'b.pstn.twilio.com',
      sipAuth: { username: 'user2', password: new Secret(SIP_PASSWORD) },
    });
    expect(updated).toMatchObject({ terminationUri: 'b.pstn.twilio.com', authUsername: 'user2' });
    await client.updateNumber(numberOf(2), {
      sipAuth: { username: 'user2', password: new Secret(SIP_PASSWORD_2) },
    });
    const retell = kit.sandbox.context.retell;
    expect(retell.verifySipAuth(numberOf(2), 'user2', SIP_PASSWORD)).toBe(false);
    expect(retell.verifySipAuth(numberOf(2), 'user2', SIP_PASSWORD_2)).toBe(true);
  });

  it('gets a number (also a fresh client per call) and answers undefined for an unknown one', async () => {
    await client.importNumber({ phoneNumber: numberOf(3), terminationUri: 'a.pstn.twilio.com' });
    expect((await client.getNumber(numberOf(3)))?.phoneNumber).toBe(numberOf(3));
    expect(await client.getNumber(numberOf(99))).toBeUndefined();
    // Another key is another workspace: the number is not visible there.
    const other = createRetellClient(new Secret(OTHER_KEY), {
      mode: 'sandbox',
      sandboxUrl: kit.url,
    });
    expect(await other.getNumber(numberOf(3))).toBeUndefined();
  });

  it('lists every number across several pages of 2', async () => {
    for (let i = 10; i < 15; i++) {
      await client.importNumber({ phoneNumber: numberOf(i), terminationUri: 't.pstn.twilio.com' });
    }
    const all = await client.listNumbers({ pageSize: 2 });
    expect(all.map((n) => n.phoneNumber)).toEqual([10, 11, 12, 13, 14].map(numberOf));
    expect(kit.sandbox.context.counters.get('GET /retell/v2/list-phone-numbers')).toBe(3);
  });

  it('deletes a number, and reports an absent one as not deleted', async () => {
    await client.importNumber({ phoneNumber: numberOf(4), terminationUri: 'a.pstn.twilio.com' });
    expect(await client.deleteNumber(numberOf(4))).toBe(true);
    expect(await client.getNumber(numberOf(4))).toBeUndefined();
    expect(await client.deleteNumber(numberOf(4))).toBe(false);
  });

  it('verifies a working key, and a bad key fails as credentials invalid', async () => {
    await expect(client.verify()).resolves.toBeUndefined();
    const bad = createRetellClient(new Secret('key_not_known'), {
      mode: 'sandbox',
      sandboxUrl: kit.url,
    });
    const error = await rejection(bad.verify());
    expect(error).toMatchObject({ code: 'ERR_PROVIDER_CREDENTIALS_INVALID', status: 401 });
    expect(error.retryable).toBe(false);
  });

  it('a duplicate import is rejected (400 by default, configurable to 409) and sent once', async () => {
    const input = { phoneNumber: numberOf(5), terminationUri: 'a.pstn.twilio.com' };
    await client.importNumber(input);
    expect((await rejection(client.importNumber(input))).code).toBe('ERR_PROVIDER_REJECTED');
    kit.sandbox.context.retell.configure({ duplicateImportStatus: 409 });
    const error = await rejection(client.importNumber(input));
    expect(error).toMatchObject({ code: 'ERR_PROVIDER_REJECTED', status: 409 });
    // The SDK would retry a 409 twice; writes are sent exactly once.
    expect(kit.sandbox.context.counters.get('POST /retell/import-phone-number')).toBe(3);
  });

  it('ignores RETELL_BASE_URL and RETELL_LOG: no SDK log can print a SIP password', async () => {
    vi.stubEnv('RETELL_BASE_URL', 'http://127.0.0.1:9');
    vi.stubEnv('RETELL_LOG', 'debug');
    const printed: unknown[] = [];
    const spies = (['log', 'info', 'debug', 'warn', 'error'] as const).map((level) =>
      vi.spyOn(console, level).mockImplementation((...args: unknown[]) => void printed.push(args)),
    );
    try {
      const fresh = createRetellClient(new Secret(KEY), { mode: 'sandbox', sandboxUrl: kit.url });
      await fresh.importNumber({
        phoneNumber: numberOf(7),
        terminationUri: 'a.pstn.twilio.com',
        sipAuth: { username: 'u7', password: new Secret(SIP_PASSWORD) },
      });
      expect(printed).toEqual([]);
    } finally {
      for (const spy of spies) spy.mockRestore();
      vi.unstubAllEnvs();
    }
  });

  it('refuses sandbox mode without a sandbox URL', () => {
    expect(() => createRetellClient(new Secret(KEY), { mode: 'sandbox' })).toThrow(ProviderError);
  });
});

describe('Retell client: injected faults', () => {
  const route = '/retell/import-phone-number';
  const input = { phoneNumber: numberOf(6), terminationUri: 'a.pstn.twilio.com' };
  const cases = [
    { status: 500, code: 'ERR_PROVIDER_UNAVAILABLE', retryable: true },
    { status: 503, code: 'ERR_PROVIDER_UNAVAILABLE', retryable: true },
    { status: 429, code: 'ERR_PROVIDER_RATE_LIMITED', retryable: true },
    { status: 403, code: 'ERR_PROVIDER_FORBIDDEN', retryable: false },
    { status: 401, code: 'ERR_PROVIDER_CREDENTIALS_INVALID', retryable: false },
    { status: 402, code: 'ERR_PROVIDER_REJECTED', retryable: false },
  ] as const;

  it.each(cases)('an injected $status on import → $code, sent once', async (c) => {
    await addFault({ method: 'POST', route, action: { kind: 'error', status: c.status } });
    const error = await rejection(client.importNumber(input));
    expect(error).toMatchObject({ code: c.code, status: c.status, retryable: c.retryable });
    expect(kit.sandbox.context.counters.get(`POST ${route}`)).toBe(1);
    expect(await client.getNumber(input.phoneNumber)).toBeUndefined();
  });

  it('an injected 422 on get means absent; an injected 500 on get is unavailable', async () => {
    const getRoute = '/retell/get-phone-number/:phone_number';
    await client.importNumber(input);
    await addFault({ route: getRoute, action: { kind: 'error', status: 422 } });
    expect(await client.getNumber(input.phoneNumber)).toBeUndefined();
    await addFault({ route: getRoute, action: { kind: 'error', status: 500 } });
    expect((await rejection(client.getNumber(input.phoneNumber))).code).toBe(
      'ERR_PROVIDER_UNAVAILABLE',
    );
  });

  it('a dropped connection is unavailable; after a commit-then-drop the number exists', async () => {
    await addFault({ route, action: { kind: 'drop' } });
    const dropped = await rejection(client.importNumber(input));
    expect(dropped).toMatchObject({ code: 'ERR_PROVIDER_UNAVAILABLE', status: undefined });
    expect(await client.getNumber(input.phoneNumber)).toBeUndefined();

    await addFault({ route, action: { kind: 'drop-after-commit' } });
    const lost = await rejection(client.importNumber(input));
    expect(lost.code).toBe('ERR_PROVIDER_UNAVAILABLE');
    // Retrieve before re-sending: the import landed.
    expect((await client.getNumber(input.phoneNumber))?.phoneNumber).toBe(input.phoneNumber);
  });

  it('reads retry a 5xx (the SDK backoff); writes are never re-sent, even when told to', async () => {
    const retrying = createRetellClient(new Secret(KEY), {
      mode: 'sandbox',
      sandboxUrl: kit.url,
      readRetries: 1,
    });
    await retrying.importNumber(input);
    const getRoute = '/retell/get-phone-number/:phone_number';
    await addFault({ route: getRoute, action: { kind: 'error', status: 503 } });
    expect((await retrying.getNumber(input.phoneNumber))?.phoneNumber).toBe(input.phoneNumber);
    expect(kit.sandbox.context.counters.get(`GET ${getRoute}`)).toBe(2);
    await addFault({
      route: '/retell/update-phone-number/:phone_number',
      shouldRetry: true,
      action: { kind: 'error', status: 503 },
    });
    const error = await rejection(retrying.updateNumber(input.phoneNumber, { nickname: 'x' }));
    expect(error.code).toBe('ERR_PROVIDER_UNAVAILABLE');
    expect(
      kit.sandbox.context.counters.get('PATCH /retell/update-phone-number/:phone_number'),
    ).toBe(1);
  });

  it('a timeout is unavailable and retryable', async () => {
    const slow = createRetellClient(new Secret(KEY), {
      mode: 'sandbox',
      sandboxUrl: kit.url,
      timeoutMs: 100,
      readRetries: 0,
    });
    await addFault({
      route: '/retell/v2/list-phone-numbers',
      action: { kind: 'latency', ms: 400 },
    });
    const error = await rejection(slow.listNumbers());
    expect(error).toMatchObject({ code: 'ERR_PROVIDER_UNAVAILABLE', retryable: true });
  });
});

describe('Retell secrets', () => {
  it('no response, log entry or error carries an API key or a SIP password', () => {
    expect(kit.served.length).toBeGreaterThan(20);
    expect(logs.length).toBeGreaterThan(20);
    const seen = kit.seen(logs);
    for (const secret of [KEY, OTHER_KEY, 'key_not_known', SIP_PASSWORD, SIP_PASSWORD_2]) {
      expect(seen).not.toContain(secret);
    }
  });
});
