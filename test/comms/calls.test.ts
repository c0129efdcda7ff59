// Calls through the real server against the sandbox, on both databases: each provider's route
// (Exotel with the phone's own account, Twilio with the tenant's, Retell from its imported
// number), the record written and shown, nothing sent when the call is refused before the provider.
import { describe, expect, it } from 'vitest';
import { secretDigest } from '../../src/sandbox/index.js';
import { DIALECTS } from '../support/server.js';
import { commsTenant, indianMobile, sent, useCommsStack, type CommsTenant } from './support.js';

interface CallJson {
  id: string;
  provider: string;
  providerId: string | null;
  phoneId: string | null;
  to: string;
  status: string;
  error: { code: string; status?: number } | null;
}

describe.each(DIALECTS)('calls on %s', (dialect) => {
  const stack = useCommsStack(dialect);
  let t: CommsTenant;
  const calls = () => `/v1/tenants/${t.tenantId}/calls`;

  it('an Exotel phone calls through its own account: the destination first, the phone as caller id', async () => {
    const { s, sb } = stack;
    t = await commsTenant(s, sb);
    const to = indianMobile();
    const r = await s.request('POST', calls(), {
      token: t.token,
      body: { fromPhoneId: t.phones.exotel, to },
    });
    expect(r.status, r.text).toBe(201);
    const call = r.json as CallJson;
    expect(call).toMatchObject({ provider: 'exotel', phoneId: t.phones.exotel, to, error: null });
    expect(call.providerId).toMatch(/^[0-9a-f]{32}$/);
    expect(r.headers.get('ratelimit-policy')).toContain('destination');
    // At Exotel: the call sits under the phone's own account, placed as Calls/connect says.
    const state = (await sb.admin('GET', 'state')).body as {
      exotel: Record<
        string,
        { sid: string; calls: { sid: string; from: string; callerId: string }[] }[]
      >;
    };
    const account = state.exotel['api.in.exotel.com']?.find((a) => a.sid === t.exotel.sid);
    // Authenticated with the phone's own account sid and API key (the log shows a digest of it).
    expect(account?.calls).toEqual([
      expect.objectContaining({
        sid: call.providerId,
        from: to,
        callerId: t.exotelNumber,
        accountSid: t.exotel.sid,
        apiKey: secretDigest(t.exotel.apiKey),
      }),
    ]);
    // Read back through the API: the tenant sees the number, the root token a masked one.
    const got = await s.request('GET', `${calls()}/${call.id}`, { token: t.token });
    expect(got.json).toEqual(call);
    const asRoot = (await s.request('GET', `${calls()}/${call.id}`, { token: s.rootToken }))
      .json as CallJson;
    expect(asRoot.to).not.toBe(to);
    expect(asRoot.to.slice(-4)).toBe(to.slice(-4));
    const list = (await s.request('GET', calls(), { token: t.token })).json as {
      calls: CallJson[];
    };
    expect(list.calls.map((c) => c.id)).toEqual([call.id]);
  });

  it('the record holds the destination sealed: its digits are not in the row', async () => {
    const { s } = stack;
    const rows = await s.server.database.db
      .selectFrom('call_records')
      .selectAll()
      .where('tenant_id', '=', t.tenantId)
      .execute();
    expect(rows).toHaveLength(1);
    const text = JSON.stringify(rows);
    const list = (await s.request('GET', calls(), { token: t.token })).json as {
      calls: CallJson[];
    };
    const digits = list.calls[0]?.to.slice(1) ?? 'none';
    expect(text).not.toContain(digits.slice(-9));
    expect(rows[0]?.to_env).toMatch(/^tv1\./);
    expect(rows[0]?.to_bidx).toMatch(/^bi1\./);
  });

  it('a phone without its own Exotel account is refused before anything is sent, unless the tenant allows its own', async () => {
    const { s, sb } = stack;
    const before = await sent(sb, /^POST \/exotel\//);
    const r = await s.request('POST', calls(), {
      token: t.token,
      body: {
        fromPhoneId: t.phones.exotelBare,
        to: indianMobile(),
        url: 'https://my.exotel.com/x/exoml/start_voice/2',
      },
    });
    expect(r.status, r.text).toBe(400);
    expect((r.json as { error: { code: string } }).error.code).toBe('ERR_PHONE_NO_CREDENTIALS');
    expect(await sent(sb, /^POST \/exotel\//)).toBe(before);
    // The tenant's own Exotel account, once allowed and stored.
    const other = (await sb.admin('POST', 'exotel/accounts', { host: 'api.exotel.com' })).body as {
      sid: string;
      apiKey: string;
      apiToken: string;
    };
    const put = await s.request('PUT', `/v1/tenants/${t.tenantId}/credentials/exotel`, {
      token: t.token,
      body: {
        apiKey: other.apiKey,
        apiToken: other.apiToken,
        sid: other.sid,
        subdomain: 'api.exotel.com',
      },
    });
    expect(put.status, put.text).toBe(200);
    const still = await s.request('POST', calls(), {
      token: t.token,
      body: {
        fromPhoneId: t.phones.exotelBare,
        to: indianMobile(),
        url: 'https://my.exotel.com/x/exoml/start_voice/2',
      },
    });
    expect(still.status).toBe(400);
    await s.request('PATCH', `/v1/tenants/${t.tenantId}/settings`, {
      token: t.token,
      body: { exotelFallbackToTenant: true },
    });
    const via = await s.request('POST', calls(), {
      token: t.token,
      body: {
        fromPhoneId: t.phones.exotelBare,
        to: indianMobile(),
        url: 'https://my.exotel.com/x/exoml/start_voice/2',
      },
    });
    expect(via.status, via.text).toBe(201);
    // Through the tenant's account, the one it allowed: the call is in that account's log.
    const state = (await sb.admin('GET', 'state')).body as {
      exotel: Record<string, { sid: string; calls: { sid: string }[] }[]>;
    };
    const tenantAccount = state.exotel['api.exotel.com']?.find((a) => a.sid === other.sid);
    expect(tenantAccount?.calls.map((c) => c.sid)).toEqual([(via.json as CallJson).providerId]);
  });

  it('a Twilio phone calls with the tenant credentials through the SDK; bad input names its field', async () => {
    const { s, sb } = stack;
    const to = '+14155550123';
    const r = await s.request('POST', calls(), {
      token: t.token,
      body: { fromPhoneId: t.phones.twilio, to, twiml: '<Response><Say>hi</Say></Response>' },
    });
    expect(r.status, r.text).toBe(201);
    expect(r.json).toMatchObject({ provider: 'twilio', status: 'queued', to });
    expect((r.json as CallJson).providerId).toMatch(/^CA[0-9a-f]{32}$/);
    const before = await sent(sb, /Calls\.json$/);
    for (const [body, field] of [
      [{ fromPhoneId: t.phones.twilio, to: '+1 900 555 0123', twiml: '<Response/>' }, 'to'],
      [{ fromPhoneId: t.phones.twilio, to, agentId: 'agent_1' }, 'agentId'],
      [
        { fromPhoneId: '00000000-0000-7000-8000-000000000000', to, twiml: '<Response/>' },
        'fromPhoneId',
      ],
      [
        { fromPhoneId: t.phones.twilio, to, twiml: '<Response/>', url: 'https://example.com/x' },
        'twiml',
      ],
      [{ fromPhoneId: t.phones.twilio, to: 'not a number', twiml: '<Response/>' }, 'to'],
    ] as const) {
      const bad = await s.request('POST', calls(), { token: t.token, body });
      expect(bad.status, bad.text).toBe(400);
      expect((bad.json as { error: { message: string } }).error.message).toContain(field);
    }
    expect(await sent(sb, /Calls\.json$/)).toBe(before);
  });

  it('a provider refusal is its typed error and the record keeps it', async () => {
    const { s, sb } = stack;
    await sb.admin('POST', 'faults', {
      method: 'POST',
      route: '/twilio-api/2010-04-01/Accounts/:AccountSid/Calls.json',
      times: 1,
      action: { kind: 'error', status: 401, code: 20003, message: 'Authenticate' },
    });
    const r = await s.request('POST', calls(), {
      token: t.token,
      body: { fromPhoneId: t.phones.twilio, to: '+14155550124', twiml: '<Response/>' },
    });
    await sb.admin('DELETE', 'faults');
    expect(r.status, r.text).toBe(502);
    expect((r.json as { error: { code: string } }).error.code).toBe(
      'ERR_PROVIDER_CREDENTIALS_INVALID',
    );
    const list = (await s.request('GET', `${calls()}?status=failed`, { token: t.token })).json as {
      calls: CallJson[];
    };
    expect(list.calls).toHaveLength(1);
    expect(list.calls[0]?.error).toMatchObject({
      code: 'ERR_PROVIDER_CREDENTIALS_INVALID',
      status: 401,
    });
  });

  it('a destination outside the tenant allowedDestinationCountries is refused, sending nothing', async () => {
    const { s, sb } = stack;
    const settings = `/v1/tenants/${t.tenantId}/settings`;
    const set = await s.request('PATCH', settings, {
      token: t.token,
      body: { allowedDestinationCountries: ['IN'] },
    });
    expect(set.status, set.text).toBe(200);
    const before = await sent(sb, /Calls\.json$/);
    const r = await s.request('POST', calls(), {
      token: t.token,
      body: { fromPhoneId: t.phones.twilio, to: '+14155550126', twiml: '<Response/>' },
    });
    expect(r.status, r.text).toBe(400);
    expect((r.json as { error: { code: string; message: string } }).error).toMatchObject({
      code: 'ERR_PHONE_COUNTRY_NOT_ALLOWED',
      message: expect.stringContaining('to:') as unknown,
    });
    expect(await sent(sb, /Calls\.json$/)).toBe(before);
    await s.request('PATCH', settings, {
      token: t.token,
      body: { allowedDestinationCountries: null },
    });
  });

  it('needs calls:create to place and activity:read to read', async () => {
    const { s } = stack;
    const reader = await s.mintToken(t.tenantId, ['activity:read']);
    const placer = await s.mintToken(t.tenantId, ['calls:create']);
    const body = { fromPhoneId: t.phones.twilio, to: '+14155550125', twiml: '<Response/>' };
    expect((await s.request('POST', calls(), { token: reader, body })).status).toBe(403);
    expect((await s.request('GET', calls(), { token: placer })).status).toBe(403);
    expect((await s.request('GET', calls(), { token: reader })).status).toBe(200);
  });
});
