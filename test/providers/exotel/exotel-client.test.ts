// The Exotel client against the sandbox: connect, call log, verify, the host allow-list (refused
// before any request), each error path and injected fault, and no token in any response or log.
import { describe, expect, it } from 'vitest';
import { Secret } from '../../../src/crypto/secret.js';
import { createExotelClient } from '../../../src/providers/exotel/exotel-client.js';
import { normalizeExotelHost } from '../../../src/providers/exotel/exotel-host.js';
import type {
  ExotelCallLog,
  ExotelCredentials,
} from '../../../src/providers/exotel/exotel-types.js';
import { useProviderSandbox } from '../support.js';

const IN = {
  host: 'api.in.exotel.com',
  sid: 'acme_in',
  apiKey: 'key_in_1234',
  apiToken: 'TokenIn-9f8e7d6c5b',
};
const SG = {
  host: 'api.exotel.com',
  sid: 'acme_sg',
  apiKey: 'key_sg_1234',
  apiToken: 'TokenSg-1a2b3c4d5e',
};
const logs: ExotelCallLog[] = [];
const kit = useProviderSandbox({
  exotel: { accounts: [IN, SG].map((a) => ({ ...a, host: a.host as 'api.exotel.com' })) },
});
const { rejection } = kit;

const creds = (a: typeof IN, over: Partial<ExotelCredentials> = {}): ExotelCredentials => ({
  accountSid: a.sid,
  apiKey: a.apiKey,
  apiToken: new Secret(a.apiToken),
  host: a.host,
  ...over,
});
const client = (c: ExotelCredentials) =>
  createExotelClient(c, {
    mode: 'sandbox',
    sandboxUrl: kit.url,
    timeoutMs: 2_000,
    log: (e) => logs.push(e),
  });
const CALL = { from: '+919800000001', to: '09800000002', callerId: '08047000000' };

describe('Exotel client', () => {
  it('connects two numbers (form-encoded, Basic auth) and reads the call back from the log', async () => {
    const exotel = client(creds(IN));
    const call = await exotel.connectCall({
      ...CALL,
      statusCallback: 'https://hooks.example.com/exotel',
      statusCallbackEvents: ['terminal', 'answered'],
      timeLimit: 600,
      customField: 'tenant-1',
    });
    expect(call).toMatchObject({
      status: 'in-progress',
      from: CALL.from,
      to: CALL.to,
      callerId: CALL.callerId,
    });
    expect(call.callSid).toMatch(/^[0-9a-f]{32}$/);
    expect(await exotel.getCall(call.callSid)).toMatchObject({
      callSid: call.callSid,
      status: 'in-progress',
    });
    const sent = kit.sandbox.context.exchanges.entries[0];
    expect(sent?.url).toBe(`/exotel/api.in.exotel.com/v1/Accounts/${IN.sid}/Calls/connect.json`);
    expect(sent?.requestBody).toMatchObject({
      From: [CALL.from],
      'StatusCallbackEvents[]': ['terminal', 'answered'],
    });
    await expect(exotel.verify()).resolves.toBeUndefined();
  });

  it('each host is its own cluster: the Mumbai account does not exist in Singapore', async () => {
    await expect(client(creds(SG)).connectCall(CALL)).resolves.toBeDefined();
    const wrongCluster = await rejection(client(creds(IN, { host: 'api.exotel.com' })).verify());
    expect(wrongCluster).toMatchObject({ code: 'ERR_PROVIDER_CREDENTIALS_INVALID', status: 401 });
  });

  it('a wrong token is credentials invalid; an unknown call is not found; a bad number is rejected', async () => {
    const bad = await rejection(
      client(creds(IN, { apiToken: new Secret('wrong') })).connectCall(CALL),
    );
    expect(bad).toMatchObject({
      code: 'ERR_PROVIDER_CREDENTIALS_INVALID',
      status: 401,
      retryable: false,
    });
    const exotel = client(creds(IN));
    expect((await rejection(exotel.getCall('0'.repeat(32)))).code).toBe('ERR_PROVIDER_NOT_FOUND');
    const invalid = await rejection(exotel.connectCall({ ...CALL, to: 'not-a-number' }));
    expect(invalid).toMatchObject({ code: 'ERR_PROVIDER_REJECTED', status: 400 });
  });

  it.each([
    'api.evil.com',
    'evil.com',
    'api.exotel.com.evil.com',
    'http://api.exotel.com',
    'https://user:pw@api.exotel.com',
    'api.exotel.com:8443',
    'api.exotel.com/v1',
    '127.0.0.1',
    '',
  ])('refuses host %j before any request is sent', async (host) => {
    const connect = async () => client(creds(IN, { host })).connectCall(CALL);
    const error = await rejection(connect());
    expect(error).toMatchObject({ code: 'ERR_PROVIDER_HOST_NOT_ALLOWED', status: undefined });
    expect(error.message).toBe(
      'exotel host.check failed: host is not one of api.exotel.com, api.in.exotel.com',
    );
    expect(kit.sandbox.context.exchanges.entries).toHaveLength(0);
    expect([...kit.sandbox.context.counters.values()].reduce((a, b) => a + b, 0)).toBe(0);
  });

  it('normalises the host forms codebases store', () => {
    expect(normalizeExotelHost('https://API.IN.exotel.com/')).toBe('api.in.exotel.com');
    expect(normalizeExotelHost('api.in')).toBe('api.in.exotel.com');
    expect(normalizeExotelHost('api')).toBe('api.exotel.com');
  });
});

describe('Exotel client: injected faults', () => {
  const route = '/exotel/:host/v1/Accounts/:sid/Calls/connect.json';
  it.each([
    { status: 500, code: 'ERR_PROVIDER_UNAVAILABLE', retryable: true },
    { status: 502, code: 'ERR_PROVIDER_UNAVAILABLE', retryable: true },
    { status: 429, code: 'ERR_PROVIDER_RATE_LIMITED', retryable: true },
    { status: 403, code: 'ERR_PROVIDER_CREDENTIALS_INVALID', retryable: false },
    { status: 400, code: 'ERR_PROVIDER_REJECTED', retryable: false },
  ] as const)('an injected $status → $code (provider code kept)', async (c) => {
    await kit.addFault({
      route,
      action: { kind: 'error', status: c.status, code: 1010, message: 'Injected' },
    });
    const error = await rejection(client(creds(IN)).connectCall(CALL));
    expect(error).toMatchObject({
      code: c.code,
      status: c.status,
      retryable: c.retryable,
      providerCode: 1010,
    });
  });

  it('a dropped connection and a timeout are unavailable and retryable', async () => {
    kit.sandbox.context.faults.add({ route, action: { kind: 'drop-after-commit' } });
    const dropped = await rejection(client(creds(IN)).connectCall(CALL));
    expect(dropped).toMatchObject({
      code: 'ERR_PROVIDER_UNAVAILABLE',
      status: undefined,
      retryable: true,
    });
    kit.sandbox.context.faults.add({ route, action: { kind: 'latency', ms: 500 } });
    const slow = createExotelClient(creds(IN), {
      mode: 'sandbox',
      sandboxUrl: kit.url,
      timeoutMs: 100,
    });
    expect((await rejection(slow.connectCall(CALL))).code).toBe('ERR_PROVIDER_UNAVAILABLE');
  });
});

describe('Exotel secrets', () => {
  it('no response, log entry or error carries the API token or the Basic credentials', () => {
    expect(logs.length).toBeGreaterThan(5);
    const basic = Buffer.from(`${IN.apiKey}:${IN.apiToken}`).toString('base64');
    // Every response served in this file (the scan used to see only the current test's: none).
    expect(kit.served.length).toBeGreaterThan(5);
    const seen = kit.seen(logs);
    for (const secret of [IN.apiToken, SG.apiToken, basic]) expect(seen).not.toContain(secret);
  });
});
