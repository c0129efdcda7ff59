// Idempotency-Key on calls: concurrent duplicates make one provider call and get one answer, and
// the destination's limit is charged once; another body with the key is refused; a process killed
// after the provider call may have gone out leaves an unknown outcome, never a second call.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxNodeEnv, spawnServer, type ChildServer } from '../support/child-server.js';
import { startTestSandbox, type TestSandbox } from '../support/sandbox.js';
import { DIALECTS } from '../support/server.js';
import {
  commsTenant,
  sent,
  serverAt,
  useCommsStack,
  type CommsTenant,
  type ServerApi,
} from './support.js';

const CALLS = /^POST \/twilio-api\/2010-04-01\/Accounts\/:AccountSid\/Calls\.json$/;

function place(
  s: ServerApi,
  t: CommsTenant,
  key: string | undefined,
  to: string,
  twiml = '<Response/>',
) {
  return s.request('POST', `/v1/tenants/${t.tenantId}/calls`, {
    token: t.token,
    body: { fromPhoneId: t.phones.twilio, to, twiml },
    ...(key === undefined ? {} : { headers: { 'idempotency-key': key } }),
  });
}

describe.each(DIALECTS)('Idempotency-Key on calls on %s', (dialect) => {
  const stack = useCommsStack(dialect);
  let t: CommsTenant;

  it('20 concurrent requests with one key: one provider call, 20 identical answers, one charge', async () => {
    const { s, sb } = stack;
    t = await commsTenant(s, sb);
    const to = '+14155550170';
    const before = await sent(sb, CALLS);
    const answers = await Promise.all(Array.from({ length: 20 }, () => place(s, t, 'key-20', to)));
    expect(answers.map((a) => a.status)).toEqual(Array<number>(20).fill(201));
    expect(new Set(answers.map((a) => a.text)).size).toBe(1);
    expect(answers.filter((a) => a.headers.get('idempotent-replayed') === 'true')).toHaveLength(19);
    expect(await sent(sb, CALLS)).toBe(before + 1);
    // The destination allows 3 in 10 minutes: the 20 duplicates were one, so two more go out.
    expect((await place(s, t, 'key-b', to)).status).toBe(201);
    expect((await place(s, t, undefined, to)).status).toBe(201);
    const over = await place(s, t, 'key-c', to);
    expect(over.status, over.text).toBe(429);
    expect((over.json as { error: { code: string } }).error.code).toBe('ERR_RATE_LIMITED');
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await sent(sb, CALLS)).toBe(before + 3);
    // A replay is still answered, and charges nothing.
    expect((await place(s, t, 'key-20', to)).status).toBe(201);
  });

  it('the same key with another body is 422 and sends nothing', async () => {
    const { s, sb } = stack;
    const before = await sent(sb, CALLS);
    const r = await place(s, t, 'key-20', '+14155550170', '<Response><Say>other</Say></Response>');
    expect(r.status).toBe(422);
    expect((r.json as { error: { code: string } }).error.code).toBe('ERR_IDEMPOTENCY_KEY_REUSED');
    expect(await sent(sb, CALLS)).toBe(before);
  });

  it("a provider's definite refusal is the key's outcome: a retry gets it again, nothing is sent", async () => {
    const { s, sb } = stack;
    await sb.admin('POST', 'faults', {
      method: 'POST',
      route: '/twilio-api/2010-04-01/Accounts/:AccountSid/Calls.json',
      times: 1,
      action: { kind: 'error', status: 401, code: 20003, message: 'Authenticate' },
    });
    const first = await place(s, t, 'key-refused', '+14155550171');
    await sb.admin('DELETE', 'faults');
    expect(first.status, first.text).toBe(502);
    const code = (r: { json: unknown }) => (r.json as { error: { code: string } }).error.code;
    expect(code(first)).toBe('ERR_PROVIDER_CREDENTIALS_INVALID');
    const before = await sent(sb, CALLS);
    const retry = await place(s, t, 'key-refused', '+14155550171');
    expect(retry.status, retry.text).toBe(502);
    expect(code(retry)).toBe('ERR_PROVIDER_CREDENTIALS_INVALID');
    expect(await sent(sb, CALLS)).toBe(before);
  });

  it('an error that leaves the outcome open (the provider failed) leaves the retry unknown', async () => {
    const { s, sb } = stack;
    await sb.admin('POST', 'faults', {
      method: 'POST',
      route: '/twilio-api/2010-04-01/Accounts/:AccountSid/Calls.json',
      times: 1,
      action: { kind: 'error', status: 500, code: 20500, message: 'Internal' },
    });
    const first = await place(s, t, 'key-500', '+14155550172');
    await sb.admin('DELETE', 'faults');
    expect(first.status, first.text).toBe(503);
    const before = await sent(sb, CALLS);
    const retry = await place(s, t, 'key-500', '+14155550172');
    expect(retry.status, retry.text).toBe(409);
    expect((retry.json as { error: { code: string } }).error.code).toBe(
      'ERR_IDEMPOTENCY_OUTCOME_UNKNOWN',
    );
    expect(await sent(sb, CALLS)).toBe(before);
  });
});

describe('a process killed after the provider call', () => {
  let sb: TestSandbox;
  let env: Record<string, string>;
  const rootToken = `tvr_${randomBytes(32).toString('base64url')}`;
  let node: ChildServer | undefined;

  beforeAll(async () => {
    sb = await startTestSandbox();
    env = sandboxNodeEnv('tv-calls-crash', sb.url, rootToken, {
      TELVAULT_IDEMPOTENCY_LEASE_SECONDS: '3',
    });
    node = await spawnServer(env);
  });
  afterAll(async () => {
    await node?.stop();
    await sb?.close();
  });

  it('leaves the retry an unknown outcome naming the record, and no second call reaches the provider', async () => {
    if (node === undefined) throw new Error('no node');
    const t = await commsTenant(serverAt(node.url, rootToken), sb);
    const barrier = sb.context.barriers.add({
      method: 'POST',
      path: '/Calls\\.json$',
      parties: 0,
      timeoutMs: 30_000,
    });
    const dying = place(serverAt(node.url, rootToken), t, 'crash-call', '+14155550171').catch(
      () => undefined,
    );
    await sb.context.barriers.waitForArrivals(barrier.id, 1);
    await node.kill();
    await dying;
    // The provider gets the call the dead process sent (its answer is lost).
    sb.context.barriers.release(barrier.id);
    await new Promise((r) => setTimeout(r, 200));
    expect(await sent(sb, CALLS)).toBe(1);
    node = await spawnServer(env);
    const api = serverAt(node.url, rootToken);
    let r = await place(api, t, 'crash-call', '+14155550171');
    for (let i = 0; r.status === 409 && i < 40; i++) {
      if ((r.json as { error: { code: string } }).error.code !== 'ERR_IDEMPOTENCY_IN_PROGRESS')
        break;
      await new Promise((res) => setTimeout(res, 500));
      r = await place(api, t, 'crash-call', '+14155550171');
    }
    expect(r.status, r.text).toBe(409);
    const error = (r.json as { error: { code: string; message: string } }).error;
    expect(error.code).toBe('ERR_IDEMPOTENCY_OUTCOME_UNKNOWN');
    const list = (await api.request('GET', `/v1/tenants/${t.tenantId}/calls`, { token: t.token }))
      .json as {
      calls: { id: string; status: string }[];
    };
    expect(list.calls).toHaveLength(1);
    expect(error.message).toContain(list.calls[0]?.id ?? 'none');
    expect(list.calls[0]?.status).toBe('queued');
    expect(await sent(sb, CALLS)).toBe(1);
    // Reconciled from Twilio: found by its numbers and time, recorded with the sid it got there.
    const id = list.calls[0]?.id ?? '';
    const rec = await api.request('POST', `/v1/tenants/${t.tenantId}/calls/${id}/reconcile`, {
      token: t.token,
    });
    expect(rec.status, rec.text).toBe(200);
    const state = (await sb.admin('GET', 'state')).body as {
      twilio: { calls: { sid: string; to: string }[] };
    };
    const atTwilio = state.twilio.calls.filter((c) => c.to === '+14155550171');
    expect(atTwilio).toHaveLength(1);
    expect(rec.json).toMatchObject({
      id,
      providerId: atTwilio[0]?.sid,
      status: 'queued',
      error: null,
    });
    expect(await sent(sb, CALLS)).toBe(1);
  });
});
