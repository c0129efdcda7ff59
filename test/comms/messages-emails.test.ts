// SMS and email through the real server against the sandbox, on both databases: the default
// sender, the sealed body and addresses, SendGrid's two 403s told apart, the access token.
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/server.js';
import { commsTenant, sent, useCommsStack, type CommsTenant } from './support.js';

const code = (r: { json: unknown }) => (r.json as { error: { code: string } }).error.code;

describe.each(DIALECTS)('messages, emails and access tokens on %s', (dialect) => {
  const stack = useCommsStack(dialect);
  let t: CommsTenant;
  const url = (what: string) => `/v1/tenants/${t.tenantId}/${what}`;

  it('sends an SMS from the phone whose number is the defaultFrom; the body is sealed at rest', async () => {
    const { s, sb } = stack;
    t = await commsTenant(s, sb);
    const body = 'canary-sms-body-7261 your code';
    const r = await s.request('POST', url('messages'), {
      token: t.token,
      body: { to: '+14155550160', body },
    });
    expect(r.status, r.text).toBe(201);
    expect(r.json).toMatchObject({
      provider: 'twilio',
      phoneId: t.phones.twilio,
      to: '+14155550160',
      body,
    });
    const state = (await sb.admin('GET', 'state')).body as {
      twilio: { messages: { sid: string; from: string; to: string }[] };
    };
    const m = state.twilio.messages.find(
      (x) => x.sid === (r.json as { providerId: string }).providerId,
    );
    expect(m).toMatchObject({ from: t.twilio.number, to: '+14155550160' });
    const rows = await s.server.database.db.selectFrom('message_records').selectAll().execute();
    expect(JSON.stringify(rows)).not.toContain('canary-sms-body');
    expect(rows[0]?.content_env).toMatch(/^tv1\./);
    const asRoot = (
      await s.request('GET', url(`messages/${(r.json as { id: string }).id}`), {
        token: s.rootToken,
      })
    ).json as Record<string, unknown>;
    expect(asRoot['body']).toBeUndefined();
    expect(asRoot['to']).not.toBe('+14155550160');
  });

  it('refuses an SMS from an Exotel phone and a body over 1600 characters, sending nothing', async () => {
    const { s, sb } = stack;
    const before = await sent(sb, /Messages\.json$/);
    const exo = await s.request('POST', url('messages'), {
      token: t.token,
      body: { fromPhoneId: t.phones.exotel, to: '+14155550161', body: 'hi' },
    });
    expect(exo.status).toBe(400);
    expect((exo.json as { error: { message: string } }).error.message).toContain('fromPhoneId');
    const long = await s.request('POST', url('messages'), {
      token: t.token,
      body: { to: '+14155550161', body: 'x'.repeat(1601) },
    });
    expect(long.status).toBe(400);
    expect((long.json as { error: { message: string } }).error.message).toContain('body');
    expect(await sent(sb, /Messages\.json$/)).toBe(before);
  });

  it('sends an email through SendGrid; the addresses are sealed and the body is not stored', async () => {
    const { s, sb } = stack;
    const r = await s.request('POST', url('emails'), {
      token: t.token,
      body: {
        to: ['ana@example.org', 'bo@example.org'],
        subject: 'Welcome',
        text: 'canary-email-body-5521',
      },
    });
    expect(r.status, r.text).toBe(201);
    expect(r.json).toMatchObject({
      provider: 'sendgrid',
      status: 'accepted',
      to: ['ana@example.org', 'bo@example.org'],
      from: 'noreply@example.com',
      subject: 'Welcome',
    });
    const rows = await s.server.database.db.selectFrom('email_records').selectAll().execute();
    const text = JSON.stringify(rows);
    expect(text).not.toContain('ana@example.org');
    expect(text).not.toContain('canary-email-body');
    const state = JSON.stringify((await sb.admin('GET', 'state')).body);
    expect(state).toContain('ana@example.org');
    const asRoot = (
      await s.request('GET', url(`emails/${(r.json as { id: string }).id}`), { token: s.rootToken })
    ).json as { to: string[]; subject?: string };
    expect(asRoot.to).toEqual(['a***@example.org', 'b***@example.org']);
    expect(asRoot.subject).toBeUndefined();
  });

  it('an unverified sender is ERR_EMAIL_SENDER_NOT_VERIFIED; a key without mail.send is the forbidden error', async () => {
    const { s, sb } = stack;
    const unverified = await s.request('POST', url('emails'), {
      token: t.token,
      body: { to: ['ana@example.org'], subject: 'x', text: 'y', from: 'someone@elsewhere.example' },
    });
    expect(unverified.status, unverified.text).toBe(400);
    expect(code(unverified)).toBe('ERR_EMAIL_SENDER_NOT_VERIFIED');
    const key = (await sb.admin('POST', 'sendgrid/keys', { scopes: ['stats.read'] })).body as {
      apiKey: string;
    };
    const put = await s.request('PUT', url('credentials/sendgrid'), {
      token: t.token,
      body: { apiKey: key.apiKey },
    });
    expect(put.status, put.text).toBe(200);
    const noScope = await s.request('POST', url('emails'), {
      token: t.token,
      body: { to: ['ana@example.org'], subject: 'x', text: 'y' },
    });
    expect(noScope.status, noScope.text).toBe(502);
    expect(code(noScope)).toBe('ERR_PROVIDER_FORBIDDEN');
    const failed = (await s.request('GET', url('emails?status=failed'), { token: t.token }))
      .json as {
      emails: { error: { code: string } }[];
    };
    expect(failed.emails.map((e) => e.error.code).sort()).toEqual([
      'ERR_EMAIL_SENDER_NOT_VERIFIED',
      'ERR_PROVIDER_FORBIDDEN',
    ]);
  });

  it('mints a Voice access token signed with the API key secret; never logged, audited without it', async () => {
    const { s } = stack;
    const r = await s.request('POST', url('twilio/access-token'), {
      token: t.token,
      body: { identity: 'agent-7', ttlSeconds: 600, incomingAllow: true },
    });
    expect(r.status, r.text).toBe(201);
    const { token, expiresAt } = r.json as { token: string; expiresAt: string };
    const [head = '', payload = '', sig = ''] = token.split('.');
    const expected = createHmac('sha256', t.twilio.keySecret)
      .update(`${head}.${payload}`)
      .digest('base64url');
    expect(sig).toBe(expected);
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as {
      iss: string;
      sub: string;
      exp: number;
      nbf: number;
      grants: { identity: string; voice: { incoming: { allow: boolean } } };
    };
    expect(claims).toMatchObject({ iss: t.twilio.keySid, sub: t.twilio.sid });
    expect(claims.grants.identity).toBe('agent-7');
    expect(claims.grants.voice.incoming.allow).toBe(true);
    expect(claims.exp - claims.nbf).toBe(600);
    expect(Date.parse(expiresAt)).toBe(claims.exp * 1000);
    expect(s.logLines.join('\n')).not.toContain(token.slice(-20));
    const audit = await s.server.database.db
      .selectFrom('audit_events')
      .select(['action', 'detail_json'])
      .where('action', '=', 'twilio.access-token.create')
      .execute();
    expect(audit).toHaveLength(1);
    expect(JSON.parse(String(audit[0]?.detail_json))).toEqual({
      identity: 'agent-7',
      ttlSeconds: 600,
      incomingAllow: true,
    });
    const long = await s.request('POST', url('twilio/access-token'), {
      token: t.token,
      body: { identity: 'agent-7', ttlSeconds: 3601 },
    });
    expect(long.status).toBe(400);
    // Credentials with only the auth token: no API key to sign with.
    await s.request('PUT', url('credentials/twilio'), {
      token: t.token,
      body: { apiKeySid: null, apiKeySecret: null },
    });
    const none = await s.request('POST', url('twilio/access-token'), {
      token: t.token,
      body: { identity: 'a' },
    });
    expect(none.status, none.text).toBe(400);
    expect(code(none)).toBe('ERR_TWILIO_API_KEY_REQUIRED');
  });
});
