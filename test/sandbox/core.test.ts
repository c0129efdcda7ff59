// The sandbox core: admin surface, per-route counters, fault rules, barriers, the exchange log
// and reset, exercised through the Twilio emulator's routes over real sockets.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSandboxApp } from '../../src/sandbox/sandbox-app.js';
import { startTestSandbox, twilioAccounts, type TestSandbox } from '../support/sandbox.js';

const TRUNKS = '/twilio-trunking/v1/Trunks';

describe('sandbox core', () => {
  let sb: TestSandbox;
  let auth: string;

  beforeAll(async () => {
    sb = await startTestSandbox();
    const { main } = twilioAccounts(sb.seed);
    auth = `Basic ${Buffer.from(`${main.sid}:${main.authToken}`).toString('base64')}`;
  });
  beforeEach(async () => {
    expect((await sb.admin('POST', 'reset')).status).toBe(200);
  });
  afterAll(() => sb.close());

  const createTrunk = (name = 'x') =>
    fetch(`${sb.url}${TRUNKS}`, {
      method: 'POST',
      headers: { authorization: auth, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ FriendlyName: name }).toString(),
    });
  const trunkCount = () => sb.context.twilio.state.trunks.size;

  it('mounts the admin surface only when asked', async () => {
    const { app } = createSandboxApp();
    const response = await app.inject('/__sandbox/state');
    expect(response.statusCode).toBe(404);
    await app.close();
  });

  it('dumps state without secrets, digests only', async () => {
    const { main, sub } = twilioAccounts(sb.seed);
    const { body } = await sb.admin('GET', 'state');
    const text = JSON.stringify(body);
    expect(text).toContain(main.sid);
    for (const secret of [main.authToken, main.keySecret, sub.authToken])
      expect(text).not.toContain(secret);
    expect(Object.keys(body as object).sort()).toEqual(['exotel', 'retell', 'sendgrid', 'twilio']);
  });

  it('creates Twilio accounts and keys that then authenticate', async () => {
    const created = await sb.admin('POST', 'twilio/accounts', { friendlyName: 'tenant 9' });
    expect(created.status).toBe(201);
    const account = created.body as { sid: string; authToken: string };
    expect(account.sid).toMatch(/^AC[0-9a-f]{32}$/);
    const key = (await sb.admin('POST', 'twilio/keys', { accountSid: account.sid })).body as {
      sid: string;
      secret: string;
    };
    for (const [user, pass] of [
      [account.sid, account.authToken],
      [key.sid, key.secret],
    ]) {
      const response = await fetch(`${sb.url}${TRUNKS}`, {
        headers: { authorization: `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}` },
      });
      expect(response.status).toBe(200);
    }
    expect((await sb.admin('POST', 'twilio/accounts', { sid: 'nope' })).status).toBe(400);
    expect((await sb.admin('POST', 'twilio/keys', {})).status).toBe(400);
    expect((await sb.admin('POST', 'nobody/accounts', {})).status).toBe(404);
    expect((await sb.admin('POST', 'twilio/whatever', {})).status).toBe(404);
    expect((await sb.admin('POST', 'twilio/config', { noSuchSetting: true })).status).toBe(400);
  });

  it('counts calls per route pattern, unmatched ones too', async () => {
    await createTrunk();
    await createTrunk();
    await fetch(`${sb.url}/twilio-trunking/v1/Nothing`, { headers: { authorization: auth } });
    const { body } = await sb.admin('GET', 'counters');
    expect(body).toMatchObject({ [`POST ${TRUNKS}`]: 2, 'GET <unmatched>': 1 });
  });

  it('fails the Nth matching call with a provider-shaped error and x-should-retry', async () => {
    const rule = await sb.admin('POST', 'faults', {
      method: 'POST',
      route: TRUNKS,
      nth: 2,
      shouldRetry: false,
      action: { kind: 'error', status: 503, code: 20503, message: 'Service Unavailable' },
    });
    expect(rule.status).toBe(201);
    expect((await createTrunk()).status).toBe(201);
    const failed = await createTrunk();
    expect(failed.status).toBe(503);
    expect(failed.headers.get('x-should-retry')).toBe('false');
    expect(await failed.json()).toEqual({
      code: 20503,
      message: 'Service Unavailable',
      more_info: 'https://www.twilio.com/docs/errors/20503',
      status: 503,
    });
    expect((await createTrunk()).status).toBe(201);
    expect(trunkCount()).toBe(2); // the failed call applied nothing
    const { body } = await sb.admin('GET', 'faults');
    expect((body as { faults: { seen: number; fired: number }[] }).faults[0]).toMatchObject({
      seen: 3,
      fired: 1,
    });
  });

  it('matches by path regex, fires `times` times, and can be deleted', async () => {
    const created = await sb.admin('POST', 'faults', {
      path: '^/twilio-trunking/',
      times: 2,
      action: { kind: 'error', status: 429, code: 20429 },
    });
    const id = (created.body as { id: string }).id;
    expect((await createTrunk()).status).toBe(429);
    expect((await createTrunk()).status).toBe(429);
    expect((await createTrunk()).status).toBe(201);
    expect((await sb.admin('DELETE', `faults/${id}`)).status).toBe(204);
    expect((await sb.admin('DELETE', `faults/${id}`)).status).toBe(404);
    expect((await sb.admin('POST', 'faults', { action: { kind: 'drop' } })).status).toBe(400);
    expect(
      (await sb.admin('POST', 'faults', { route: TRUNKS, action: { kind: 'explode' } })).status,
    ).toBe(400);
    expect((await sb.admin('POST', 'faults', { path: '(', action: { kind: 'drop' } })).status).toBe(
      400,
    );
  });

  it('adds latency and still answers', async () => {
    await sb.admin('POST', 'faults', { route: TRUNKS, action: { kind: 'latency', ms: 50 } });
    expect((await createTrunk()).status).toBe(201);
    const { body } = await sb.admin('GET', 'faults');
    expect((body as { faults: { fired: number }[] }).faults[0]?.fired).toBe(1);
  });

  it('answers a redirect (Location, empty body) without running the handler', async () => {
    const rule = await sb.admin('POST', 'faults', {
      route: TRUNKS,
      action: { kind: 'redirect', status: 308, location: 'http://127.0.0.1:9/elsewhere' },
    });
    expect(rule.status).toBe(201);
    const res = await fetch(`${sb.url}${TRUNKS}`, {
      method: 'POST',
      headers: { authorization: auth, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ FriendlyName: 'moved' }).toString(),
      redirect: 'manual',
    });
    expect(res.status).toBe(308);
    expect(res.headers.get('location')).toBe('http://127.0.0.1:9/elsewhere');
    expect(await res.text()).toBe('');
    expect(trunkCount()).toBe(0);
    // Only redirect statuses, and a location is required.
    for (const action of [
      { kind: 'redirect', status: 200, location: '/x' },
      { kind: 'redirect', status: 304, location: '/x' },
      { kind: 'redirect', status: 302 },
    ]) {
      expect((await sb.admin('POST', 'faults', { route: TRUNKS, action })).status).toBe(400);
    }
  });

  it('drops the connection before the handler (nothing applied) or after it (applied)', async () => {
    await sb.admin('POST', 'faults', { route: TRUNKS, action: { kind: 'drop' } });
    await expect(createTrunk('dropped')).rejects.toThrow();
    expect(trunkCount()).toBe(0);
    await sb.admin('DELETE', 'faults');

    await sb.admin('POST', 'faults', { route: TRUNKS, action: { kind: 'drop-after-commit' } });
    await expect(createTrunk('committed')).rejects.toThrow();
    expect([...sb.context.twilio.state.trunks.values()].map((t) => t.friendlyName)).toEqual([
      'committed',
    ]);
    const dropped = sb.context.exchanges.entries.filter((e) => e.dropped);
    expect(dropped.map((e) => e.status)).toEqual([0, 0]);
  });

  it('holds requests at a barrier until enough arrive', async () => {
    const created = await sb.admin('POST', 'barriers', {
      method: 'POST',
      route: TRUNKS,
      parties: 2,
    });
    const id = (created.body as { id: string }).id;
    const first = createTrunk('a');
    await sb.context.barriers.waitForArrivals(id, 1);
    expect(trunkCount()).toBe(0); // held
    expect((await sb.admin('GET', `barriers/${id}`)).body).toMatchObject({
      arrived: 1,
      waiting: 1,
      open: false,
    });
    const second = createTrunk('b');
    const answers = await Promise.all([first, second]);
    expect(answers.map((r) => r.status)).toEqual([201, 201]);
    expect((await sb.admin('GET', `barriers/${id}`)).body).toMatchObject({
      arrived: 2,
      waiting: 0,
      open: true,
    });
  });

  it('holds requests until released through the admin surface', async () => {
    const created = await sb.admin('POST', 'barriers', { route: TRUNKS, parties: 0 });
    const id = (created.body as { id: string }).id;
    const held = createTrunk('held');
    await sb.context.barriers.waitForArrivals(id, 1);
    expect(trunkCount()).toBe(0);
    expect((await sb.admin('POST', `barriers/${id}/release`)).status).toBe(200);
    expect((await held).status).toBe(201);
    expect((await sb.admin('GET', 'barriers')).body).toMatchObject({
      barriers: [{ id, open: true }],
    });
    expect((await sb.admin('DELETE', `barriers/${id}`)).status).toBe(204);
    expect((await sb.admin('POST', `barriers/${id}/release`)).status).toBe(404);
  });

  it('lets held requests go after the barrier timeout, and forgets them', async () => {
    const created = await sb.admin('POST', 'barriers', {
      route: TRUNKS,
      parties: 0,
      timeoutMs: 50,
    });
    const id = (created.body as { id: string }).id;
    expect((await createTrunk('late')).status).toBe(201);
    expect((await sb.admin('GET', `barriers/${id}`)).body).toMatchObject({
      arrived: 1,
      waiting: 0,
      open: false,
    });
  });

  it('logs exchanges (request bodies only in-process) and resets to the seeded state', async () => {
    await createTrunk('logged');
    const { body } = await sb.admin('GET', 'exchanges');
    const [entry] = (body as { exchanges: Record<string, unknown>[] }).exchanges;
    expect(entry).toMatchObject({ provider: 'twilio', method: 'POST', route: TRUNKS, status: 201 });
    expect(entry).not.toHaveProperty('requestBody');
    expect(sb.context.exchanges.entries[0]?.requestBody).toEqual({ FriendlyName: ['logged'] });

    await sb.admin('POST', 'faults', { route: TRUNKS, action: { kind: 'drop' } });
    await sb.admin('POST', 'reset');
    expect(trunkCount()).toBe(0);
    expect(sb.context.faults.rules).toEqual([]);
    expect(sb.context.exchanges.entries).toEqual([]);
    expect((await createTrunk()).status).toBe(201); // seeded credentials still work
  });
});
