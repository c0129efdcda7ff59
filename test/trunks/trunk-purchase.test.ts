// Numbers on the trunk: a purchase under an Idempotency-Key buys one number onto the trunk, imports
// it into Retell with the trunk's auth (Retell's outbound check passes) and records the phone; the
// same key answers the same phone and buys nothing, also after a fault at the purchase or the
// Retell import and for 20 requests at once; another body is 422. Attach puts an owned number on
// the trunk; delete with release takes it off Retell and releases it at Twilio.
import { beforeAll, describe, expect, it } from 'vitest';
import type { TestSandbox } from '../support/sandbox.js';
import { DIALECTS, type HttpResult, type TestServer } from '../support/server.js';
import {
  outboundCheck,
  trunkTenant,
  twilioOf,
  viewOf,
  withRetell,
  useTrunkStack,
} from './support.js';

interface Phone {
  id: string;
  number: string;
  provider: string;
  twilio: { sid: string; onTrunk: boolean } | null;
  retell: { inboundAgentId: string | null; synced: boolean };
}

const BUY = 'POST /twilio-api/2010-04-01/Accounts/:AccountSid/IncomingPhoneNumbers.json';

describe.each(DIALECTS)('numbers on the trunk on %s', (dialect) => {
  const stack = useTrunkStack(dialect);
  let sb: TestSandbox;
  let s: TestServer;
  beforeAll(() => ({ sb, s } = stack));

  async function readyTenant() {
    const t = await trunkTenant(s, sb);
    const key = await withRetell(s, sb, t.tenantId, t.token);
    const v = viewOf(
      await s.request('PUT', `/v1/tenants/${t.tenantId}/trunk`, { token: t.token, body: {} }),
    );
    return { ...t, key, view: v };
  }
  const purchase = (
    t: { tenantId: string; token: string },
    key: string | undefined,
    body: unknown,
  ): Promise<HttpResult> =>
    s.request('POST', `/v1/tenants/${t.tenantId}/phones/purchase`, {
      token: t.token,
      body,
      headers: key === undefined ? {} : { 'idempotency-key': key },
    });
  const bought = () => Number(sb.context.counters.get(BUY) ?? 0);

  it('buys one number onto the trunk, Retell authenticates it, and the key replays', async () => {
    const t = await readyTenant();
    sb.context.counters.clear();
    const body = { areaCode: '415', retell: { inboundAgentId: 'agent_in' }, label: 'support' };
    const r = await purchase(t, 'buy-1', body);
    expect(r.status, r.text).toBe(201);
    const phone = r.json as Phone;
    expect(phone.number).toMatch(/^\+1415/);
    expect(phone.twilio?.onTrunk).toBe(true);
    expect(phone.retell).toMatchObject({ inboundAgentId: 'agent_in', synced: true });
    expect(await outboundCheck(sb, phone.number)).toEqual({ ok: true });
    const tw = await twilioOf(sb, t.account.sid);
    expect(tw.numbers).toEqual([
      expect.objectContaining({ phoneNumber: phone.number, trunkSid: t.view.trunkSid }),
    ]);
    expect(bought()).toBe(1);

    const again = await purchase(t, 'buy-1', body);
    expect(again.status, again.text).toBe(201);
    expect((again.json as Phone).id).toBe(phone.id);
    expect(bought()).toBe(1);
    const other = await purchase(t, 'buy-1', { ...body, label: 'other' });
    expect(other.status, other.text).toBe(422);
    expect((other.json as { error: { code: string } }).error.code).toBe(
      'ERR_IDEMPOTENCY_KEY_REUSED',
    );
    const trunk = viewOf(
      await s.request('GET', `/v1/tenants/${t.tenantId}/trunk`, { token: t.token }),
    );
    expect(trunk.numbers).toBe(1);
    expect(bought()).toBe(1);
  });

  it('a bought number whose auth breaks at Retell: dry run reports, repair fixes', async () => {
    const t = await readyTenant();
    const phone = (await purchase(t, 'to-break', { areaCode: '415' })).json as Phone;
    expect(await outboundCheck(sb, phone.number)).toEqual({ ok: true });
    // What the field reports saw: the number's auth username emptied at Retell.
    const numbers = sb.context.retell.numbersOf(sb.context.retell.workspaceFor(t.key) ?? '');
    const n = numbers.get(phone.number);
    if (n?.sip) n.sip.authUsername = '';
    expect((await outboundCheck(sb, phone.number)).ok).toBe(false);
    const live = await s.request('GET', `/v1/tenants/${t.tenantId}/trunk?check=live`, {
      token: t.token,
    });
    expect(viewOf(live).drift).toEqual([
      {
        resource: expect.stringMatching(/^retellNumber:/) as unknown,
        problem: 'no auth username (repair fixes it)',
      },
    ]);
    expect(live.text).not.toContain(phone.number);
    const dry = await s.request('POST', `/v1/tenants/${t.tenantId}/trunk/repair?wait=true`, {
      token: t.token,
      body: { dryRun: true },
    });
    const dryResult = (
      dry.json as { result: { results: { phoneNumber: string; action: string }[] } }
    ).result;
    expect(dryResult.results).toEqual([
      { phoneNumber: phone.number, action: 'would-fix', reason: 'no auth username' },
    ]);
    expect((await outboundCheck(sb, phone.number)).ok).toBe(false);
    const fixed = await s.request('POST', `/v1/tenants/${t.tenantId}/trunk/repair?wait=true`, {
      token: t.token,
      body: {},
    });
    expect((fixed.json as { result: { fixed: number } }).result.fixed).toBe(1);
    expect(await outboundCheck(sb, phone.number)).toEqual({ ok: true });
    const clean = await s.request('GET', `/v1/tenants/${t.tenantId}/trunk?check=live`, {
      token: t.token,
    });
    expect(viewOf(clean).drift).toEqual([]);
  });

  it('20 requests with one key buy one number and answer the same phone', async () => {
    const t = await readyTenant();
    sb.context.counters.clear();
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => purchase(t, 'same', { country: 'US' })),
    );
    for (const a of answers) expect(a.status, a.text).toBe(201);
    expect(new Set(answers.map((a) => (a.json as Phone).id)).size).toBe(1);
    expect(bought()).toBe(1);
    expect((await twilioOf(sb, t.account.sid)).numbers).toHaveLength(1);
  });

  it.each([
    ['the purchase', 'POST', /IncomingPhoneNumbers\.json$/],
    ['the Retell import', 'POST', /\/retell\/import-phone-number$/],
  ])('a lost answer at %s: the retry with the key buys nothing more', async (_w, method, path) => {
    const t = await readyTenant();
    sb.context.counters.clear();
    sb.context.faults.add({ method, path: path.source, action: { kind: 'drop-after-commit' } });
    // The Retell import recovers in the same request (retrieve, then update); the purchase's
    // lost answer fails the request and the retry resumes from the recorded number.
    const first = await purchase(t, 'flaky', { areaCode: '415' });
    expect([201, 503], first.text).toContain(first.status);
    const retry = await purchase(t, 'flaky', { areaCode: '415' });
    expect(retry.status, retry.text).toBe(201);
    const phone = retry.json as Phone;
    if (first.status === 201) expect((first.json as Phone).id).toBe(phone.id);
    expect((await twilioOf(sb, t.account.sid)).numbers).toHaveLength(1);
    expect(bought()).toBe(1);
    expect(await outboundCheck(sb, phone.number)).toEqual({ ok: true });
  });

  it('needs the Idempotency-Key, trunks:manage and phones:write; bad input names the field', async () => {
    const t = await readyTenant();
    const noKey = await purchase(t, undefined, {});
    expect(noKey.status).toBe(400);
    expect(noKey.text).toMatch(/Idempotency-Key/);
    const onlyPhones = await s.mintToken(t.tenantId, ['phones:write']);
    const onlyTrunks = await s.mintToken(t.tenantId, ['trunks:manage']);
    for (const token of [onlyPhones, onlyTrunks]) {
      expect((await purchase({ tenantId: t.tenantId, token }, 'k', {})).status).toBe(403);
    }
    const bad = await purchase(t, 'k2', { phoneNumber: '+1415', areaCode: '415' });
    expect(bad.status).toBe(400);
    expect(bad.text).toMatch(/phoneNumber/);
    expect((await twilioOf(sb, t.account.sid)).numbers).toHaveLength(0);
  });

  it('attach puts an owned number on the trunk; delete with release gives it up', async () => {
    const t = await readyTenant();
    // A number the account owns, off any trunk, known to telvault as a plain phone.
    const { createTwilioClient } = await import('../../src/providers/twilio/index.js');
    const c = createTwilioClient(
      { accountSid: t.account.sid, authToken: t.account.authToken },
      { mode: 'sandbox', sandboxUrl: sb.url },
    );
    const owned = await c.sdk.api.v2010
      .accounts(t.account.sid)
      .incomingPhoneNumbers.create({ areaCode: '415' });
    const created = await s.request('POST', `/v1/tenants/${t.tenantId}/phones`, {
      token: t.token,
      body: { number: owned.phoneNumber, provider: 'retell' },
    });
    expect(created.status, created.text).toBe(201);
    const id = (created.json as Phone).id;
    const attached = await s.request('POST', `/v1/tenants/${t.tenantId}/phones/${id}/attach`, {
      token: t.token,
      body: {},
    });
    expect(attached.status, attached.text).toBe(200);
    expect((attached.json as Phone).twilio).toEqual({ sid: owned.sid, onTrunk: true });
    expect(await outboundCheck(sb, owned.phoneNumber)).toEqual({ ok: true });

    // Delete without release: detached, still owned; a bought one with release: gone.
    const del = await s.request('DELETE', `/v1/tenants/${t.tenantId}/phones/${id}`, {
      token: t.token,
    });
    expect(del.status, del.text).toBe(204);
    expect((await twilioOf(sb, t.account.sid)).numbers).toEqual([
      expect.objectContaining({ sid: owned.sid, trunkSid: null }),
    ]);
    expect((await outboundCheck(sb, owned.phoneNumber)).reason).toBe('number not imported');

    const p = (await purchase(t, 'to-release', { areaCode: '415' })).json as Phone;
    const weak = await s.mintToken(t.tenantId, ['phones:write']);
    const refused = await s.request(
      'DELETE',
      `/v1/tenants/${t.tenantId}/phones/${p.id}?release=true`,
      {
        token: weak,
      },
    );
    expect(refused.status).toBe(403);
    const released = await s.request(
      'DELETE',
      `/v1/tenants/${t.tenantId}/phones/${p.id}?release=true`,
      { token: t.token },
    );
    expect(released.status, released.text).toBe(204);
    expect((await twilioOf(sb, t.account.sid)).numbers.map((n) => n.sid)).toEqual([owned.sid]);
    // The key is forgotten with the phone: the same key buys again.
    const rebuy = await purchase(t, 'to-release', { areaCode: '415' });
    expect(rebuy.status, rebuy.text).toBe(201);
    expect((rebuy.json as Phone).id).not.toBe(p.id);
  });
});
