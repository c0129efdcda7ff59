// Provider callbacks checked inside telvault: the sandbox moves a call or message and posts the
// provider's own signed callback to the server (Twilio X-Twilio-Signature under the account's
// auth token, Retell x-retell-signature under its key, Exotel's per-call token in the URL). A
// valid one moves the record forward; a forged, replayed, misdirected or older one changes nothing.
import Retell, { sign } from 'retell-sdk';
import { describe, expect, it } from 'vitest';
import { retellBaseUrl } from '../../src/providers/retell/index.js';
import { DIALECTS } from '../support/server.js';
import { commsTenant, indianMobile, useCommsStack, type CommsTenant } from './support.js';

interface Callback {
  url: string;
  params: Record<string, string>;
  signature: string;
  receiverStatus: number | null;
}

describe.each(DIALECTS)('status callbacks on %s', (dialect) => {
  const stack = useCommsStack(dialect);
  let t: CommsTenant;
  let other: CommsTenant;

  const status = async (kind: 'calls' | 'messages', id: string) =>
    (
      (await stack.s.request('GET', `/v1/tenants/${t.tenantId}/${kind}/${id}`, { token: t.token }))
        .json as {
        status: string;
      }
    ).status;

  async function move(path: string, body: unknown): Promise<Callback> {
    const r = await stack.sb.admin('POST', path, body);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const cb = (r.body as { callback: Callback | null }).callback;
    if (cb === null) throw new Error('no callback was sent');
    return cb;
  }

  const form = (params: Record<string, string>) => new URLSearchParams(params).toString();
  const post = (path: string, params: Record<string, string>, signature: string) =>
    stack.s.request('POST', path, {
      rawBody: form(params),
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': signature,
      },
    });

  it('a Twilio call moves forward with each signed callback; forged, replayed elsewhere or older ones change nothing', async () => {
    const { s } = stack;
    t = await commsTenant(s, stack.sb);
    other = await commsTenant(s, stack.sb, 'other');
    const r = await s.request('POST', `/v1/tenants/${t.tenantId}/calls`, {
      token: t.token,
      body: { fromPhoneId: t.phones.twilio, to: '+14155550140', twiml: '<Response/>' },
    });
    expect(r.status, r.text).toBe(201);
    const call = r.json as { id: string; providerId: string };
    const ringing = await move(`twilio/calls/${call.providerId}/status`, { status: 'ringing' });
    expect(ringing.url).toBe(`${s.url}/hooks/twilio/${t.tenantId}/status`);
    expect(ringing.receiverStatus).toBe(204);
    expect(await status('calls', call.id)).toBe('ringing');

    const answered = await move(`twilio/calls/${call.providerId}/status`, {
      status: 'in-progress',
    });
    expect(answered.receiverStatus).toBe(204);
    expect(await status('calls', call.id)).toBe('in-progress');

    // An older status arriving late (a replay of the ringing callback, validly signed): ignored.
    expect(
      (await post(`/hooks/twilio/${t.tenantId}/status`, ringing.params, ringing.signature)).status,
    ).toBe(204);
    expect(await status('calls', call.id)).toBe('in-progress');

    // A forged completion (bad signature), and the same signed body posted to another URL.
    const forged = { ...answered.params, CallStatus: 'completed' };
    const bad = await post(`/hooks/twilio/${t.tenantId}/status`, forged, answered.signature);
    expect(bad.status).toBe(403);
    expect((bad.json as { error: { code: string } }).error.code).toBe(
      'ERR_WEBHOOK_SIGNATURE_INVALID',
    );
    const elsewhere = await post(
      `/hooks/twilio/${t.tenantId}/status?x=1`,
      answered.params,
      answered.signature,
    );
    expect(elsewhere.status).toBe(403);
    // Another tenant's path: its own auth token does not verify this account's signature.
    const misdirected = await post(
      `/hooks/twilio/${other.tenantId}/status`,
      answered.params,
      answered.signature,
    );
    expect(misdirected.status).toBe(403);
    const missing = await s.request('POST', `/hooks/twilio/${t.tenantId}/status`, {
      rawBody: form(answered.params),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(missing.status).toBe(403);
    expect(await status('calls', call.id)).toBe('in-progress');

    const done = await move(`twilio/calls/${call.providerId}/status`, { status: 'completed' });
    expect(done.receiverStatus).toBe(204);
    expect(await status('calls', call.id)).toBe('completed');
  });

  it('a Twilio message is delivered by its signed callback', async () => {
    const { s } = stack;
    const r = await s.request('POST', `/v1/tenants/${t.tenantId}/messages`, {
      token: t.token,
      body: { to: '+14155550141', body: 'your code is 1234' },
    });
    expect(r.status, r.text).toBe(201);
    const m = r.json as { id: string; providerId: string };
    await move(`twilio/messages/${m.providerId}/status`, { status: 'sending' });
    await move(`twilio/messages/${m.providerId}/status`, { status: 'sent' });
    const delivered = await move(`twilio/messages/${m.providerId}/status`, { status: 'delivered' });
    expect(delivered.receiverStatus).toBe(204);
    expect(await status('messages', m.id)).toBe('delivered');
  });

  it('an Exotel call is completed by the callback carrying its own token, not by a guessed one', async () => {
    const { s, sb } = stack;
    const r = await s.request('POST', `/v1/tenants/${t.tenantId}/calls`, {
      token: t.token,
      body: { fromPhoneId: t.phones.exotel, to: indianMobile() },
    });
    expect(r.status, r.text).toBe(201);
    const call = r.json as { id: string; providerId: string };
    const row = await s.server.database.db
      .selectFrom('call_records')
      .select('hook_token_hash')
      .where('id', '=', call.id)
      .executeTakeFirstOrThrow();
    expect(row.hook_token_hash).toMatch(/^[0-9a-f]{64}$/);
    // A guessed token, with the call's real sid: refused.
    const guess = await s.request('POST', `/hooks/exotel/${t.tenantId}/not-the-token/status`, {
      body: { CallSid: call.providerId, Status: 'completed' },
    });
    expect(guess.status).toBe(403);
    expect(await status('calls', call.id)).not.toBe('completed');
    const moved = await sb.admin('POST', `exotel/calls/${call.providerId}/status`, {
      status: 'completed',
    });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    const cb = (moved.body as { callback: { contentType: string; receiverStatus: number } })
      .callback;
    expect(cb).toMatchObject({ contentType: 'application/json', receiverStatus: 204 });
    expect(await status('calls', call.id)).toBe('completed');
    // The token never reaches a log line (nor the sandbox's admin answer, which redacts it).
    const hookUrl = sb.context.exotel.findCallBySid(call.providerId)?.statusCallback ?? '';
    const token = hookUrl.split('/').at(-2) ?? '';
    expect(JSON.stringify(moved.body)).not.toContain(token);
    expect(token.length).toBeGreaterThan(20);
    expect(s.logLines.join('\n')).not.toContain(token);
  });

  it('a Retell call from an imported number, and its signed webhooks', async () => {
    const { s, sb } = stack;
    const retell = new Retell({
      apiKey: t.retellKey,
      baseURL: retellBaseUrl({ mode: 'sandbox', sandboxUrl: sb.url }),
    });
    const from = '+14155550150';
    await retell.phoneNumber.import({
      phone_number: from,
      termination_uri: 'telvault.pstn.twilio.com',
      outbound_agents: [{ agent_id: 'agent_out', weight: 1 }],
    });
    const phone = await s.request('POST', `/v1/tenants/${t.tenantId}/phones`, {
      token: t.token,
      body: { number: from, provider: 'retell', retell: { outboundAgentId: 'agent_out' } },
    });
    expect(phone.status, phone.text).toBe(201);
    const phoneId = (phone.json as { id: string }).id;
    const r = await s.request('POST', `/v1/tenants/${t.tenantId}/calls`, {
      token: t.token,
      body: { fromPhoneId: phoneId, to: '+14155550151' },
    });
    expect(r.status, r.text).toBe(201);
    const call = r.json as { id: string; providerId: string; agentId: string; status: string };
    expect(call).toMatchObject({ agentId: 'agent_out', status: 'initiated' });
    const hook = `${s.url}/hooks/retell/${t.tenantId}`;
    const started = await sb.admin('POST', `retell/calls/${call.providerId}/events`, {
      event: 'call_started',
      url: hook,
    });
    expect((started.body as { webhook: { receiverStatus: number } }).webhook.receiverStatus).toBe(
      204,
    );
    expect(await status('calls', call.id)).toBe('in-progress');
    // A body signed with another key: refused, nothing changes.
    const body = JSON.stringify({
      event: 'call_ended',
      call: { call_id: call.providerId, call_status: 'ended' },
    });
    const forged = await s.request('POST', `/hooks/retell/${t.tenantId}`, {
      rawBody: body,
      headers: { 'x-retell-signature': await sign(body, 'key_not_the_tenants') },
    });
    expect(forged.status).toBe(403);
    expect(await status('calls', call.id)).toBe('in-progress');
    await sb.admin('POST', `retell/calls/${call.providerId}/events`, {
      event: 'call_ended',
      url: hook,
    });
    expect(await status('calls', call.id)).toBe('completed');
  });

  it('reconciles a Retell call whose id was never recorded by its numbers; an Exotel one cannot be', async () => {
    const { s, sb } = stack;
    const phones = (
      await s.request('GET', `/v1/tenants/${t.tenantId}/phones?provider=retell`, { token: t.token })
    ).json as { phones: { id: string }[] };
    const phoneId = phones.phones[0]?.id ?? '';
    const placed = await s.request('POST', `/v1/tenants/${t.tenantId}/calls`, {
      token: t.token,
      body: { fromPhoneId: phoneId, to: '+14155550152' },
    });
    expect(placed.status, placed.text).toBe(201);
    const call = placed.json as { id: string; providerId: string };
    // As if the server had died before recording Retell's answer.
    await s.server.database.db
      .updateTable('call_records')
      .set({ provider_id: null, status: 'queued', status_rank: 0 })
      .where('id', '=', call.id)
      .execute();
    await sb.admin('POST', `retell/calls/${call.providerId}/events`, {
      event: 'call_started',
      url: 'http://127.0.0.1:9/x',
    });
    const rec = await s.request('POST', `/v1/tenants/${t.tenantId}/calls/${call.id}/reconcile`, {
      token: t.token,
    });
    expect(rec.status, rec.text).toBe(200);
    expect(rec.json).toMatchObject({ providerId: call.providerId, status: 'in-progress' });

    const exo = await s.request('POST', `/v1/tenants/${t.tenantId}/calls`, {
      token: t.token,
      body: { fromPhoneId: t.phones.exotel, to: indianMobile() },
    });
    const e = exo.json as { id: string };
    await s.server.database.db
      .updateTable('call_records')
      .set({ provider_id: null })
      .where('id', '=', e.id)
      .execute();
    const refused = await s.request('POST', `/v1/tenants/${t.tenantId}/calls/${e.id}/reconcile`, {
      token: t.token,
    });
    expect(refused.status).toBe(409);
    expect((refused.json as { error: { code: string; message: string } }).error.message).toContain(
      'call log',
    );
  });

  it('verifies signatures for the platform own receivers without handing out the secrets', async () => {
    const { s } = stack;
    const url = 'https://platform.example.com/twilio/voice';
    const params = { CallSid: 'CA00000000000000000000000000000001', CallStatus: 'ringing' };
    const twilio = (await import('twilio')).default;
    const good = twilio.getExpectedTwilioSignature(t.twilio.authToken, url, params);
    const verify = (body: unknown) =>
      s.request('POST', `/v1/tenants/${t.tenantId}/webhooks/verify`, { token: t.token, body });
    expect((await verify({ provider: 'twilio', url, params, signature: good })).json).toEqual({
      valid: true,
    });
    expect(
      (await verify({ provider: 'twilio', url: `${url}?x`, params, signature: good })).json,
    ).toEqual({
      valid: false,
    });
    const body = JSON.stringify({ event: 'call_started' });
    const rs = await sign(body, t.retellKey);
    expect((await verify({ provider: 'retell', body, signature: rs })).json).toEqual({
      valid: true,
    });
    expect((await verify({ provider: 'retell', body: `${body} `, signature: rs })).json).toEqual({
      valid: false,
    });
    const bad = await verify({ provider: 'vonage', body, signature: rs });
    expect(bad.status).toBe(400);
    await s.server.services.webhooks.flushFailures();
    const events = await s.server.database.db
      .selectFrom('audit_events')
      .select(['action', 'outcome', 'detail_json'])
      .where('tenant_id', '=', t.tenantId)
      .where('action', 'in', ['webhook.verify', 'webhook.rejected'])
      .execute();
    // The valid ones are audited each; the invalid ones only counted, in aggregate.
    expect(events.filter((e) => e.action === 'webhook.verify').map((e) => e.outcome)).toEqual([
      'success',
      'success',
    ]);
    const counted = events
      .filter((e) => e.action === 'webhook.rejected')
      .map(
        (e) =>
          JSON.parse(String(e.detail_json)) as { provider: string; via: string; count: number },
      )
      .filter((d) => d.via === 'verify');
    const sum = (provider: string) =>
      counted.filter((d) => d.provider === provider).reduce((n, d) => n + d.count, 0);
    expect([sum('twilio'), sum('retell')]).toEqual([1, 1]);
    expect(JSON.stringify(events)).not.toContain(t.twilio.authToken);
  });
});
