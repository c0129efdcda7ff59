// The canary test for calls, SMS, email, access tokens and webhooks, against the sandbox with
// trace logging (the most the server ever logs): every route driven to success and to failure,
// then every log line, response, audit event and the raw database searched. A destination or an
// SMS body may appear only in its own tenant's responses, an access token only in the answer that
// mints it; provider secrets and Exotel hook tokens nowhere.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { sign } from 'retell-sdk';
import { describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/server.js';
import { commsTenant, indianMobile, useCommsStack, type CommsTenant } from './support.js';

const count = (haystack: string, needle: string): number => haystack.split(needle).length - 1;

describe.each(DIALECTS)('comms canary on %s', (dialect) => {
  const stack = useCommsStack(dialect, { logLevel: 'trace' });
  let t: CommsTenant;
  const destinations = ['+14155550190', indianMobile()];
  const smsBody = 'CANARYsmsBody-secret-code-90412';
  const emailBody = 'CANARYemailBody-reset-link-5521';
  let accessToken = '';
  const hookTokens: string[] = [];

  it('drives every comms route and callback', async () => {
    const { s, sb } = stack;
    t = await commsTenant(s, sb, 'canary');
    const base = `/v1/tenants/${t.tenantId}`;
    const req = (method: string, path: string, body?: unknown, key?: string) =>
      s.request(method, `${base}${path}`, {
        token: t.token,
        ...(body === undefined ? {} : { body }),
        ...(key === undefined ? {} : { headers: { 'idempotency-key': key } }),
      });
    const [us = '', india = ''] = destinations;
    const twilioCall = await req(
      'POST',
      '/calls',
      { fromPhoneId: t.phones.twilio, to: us, twiml: '<Response/>' },
      'k1',
    );
    expect(twilioCall.status, twilioCall.text).toBe(201);
    await req(
      'POST',
      '/calls',
      { fromPhoneId: t.phones.twilio, to: us, twiml: '<Response/>' },
      'k1',
    );
    const exotelCall = await req('POST', '/calls', { fromPhoneId: t.phones.exotel, to: india });
    expect(exotelCall.status, exotelCall.text).toBe(201);
    await req('POST', '/calls', {
      fromPhoneId: t.phones.exotelBare,
      to: india,
      url: 'https://e.example/f',
    });
    await req('POST', '/calls', {
      fromPhoneId: t.phones.twilio,
      to: `${us}99`,
      twiml: '<Response/>',
    });
    const sms = await req('POST', '/messages', { to: us, body: smsBody });
    expect(sms.status, sms.text).toBe(201);
    await req('POST', '/messages', { to: us, body: smsBody }, 'k2');
    await req('POST', '/messages', { to: us, body: `${smsBody}-other` }, 'k2');
    expect(
      (await req('POST', '/emails', { to: ['ana@example.org'], subject: 's', text: emailBody }))
        .status,
    ).toBe(201);
    await req('POST', '/emails', {
      to: ['ana@example.org'],
      subject: 's',
      html: emailBody,
      from: 'x@elsewhere.example',
    });
    const minted = await req('POST', '/twilio/access-token', { identity: 'agent' });
    accessToken = (minted.json as { token: string }).token;
    for (const path of ['/calls', '/messages', '/emails']) await req('GET', path);
    for (const token of [s.rootToken]) await s.request('GET', `${base}/calls`, { token });
    // Callbacks: Twilio and Exotel through the sandbox, Retell signed and forged.
    const cid = (twilioCall.json as { providerId: string }).providerId;
    await sb.admin('POST', `twilio/calls/${cid}/status`, { status: 'ringing' });
    await sb.admin(
      'POST',
      `twilio/messages/${(sms.json as { providerId: string }).providerId}/status`,
      {
        status: 'sent',
      },
    );
    const exotelSid = (exotelCall.json as { providerId: string }).providerId;
    await sb.admin('POST', `exotel/calls/${exotelSid}/status`, { status: 'completed' });
    // The hook token, from the sandbox's own call log (its admin answer redacts it).
    const hookUrl = sb.context.exotel.findCallBySid(exotelSid)?.statusCallback ?? '';
    hookTokens.push(hookUrl.split('/').at(-2) ?? '');
    await s.request('POST', `/hooks/exotel/${t.tenantId}/${hookTokens[0] ?? ''}x/status`, {
      body: { CallSid: 'x' },
    });
    const body = JSON.stringify({ event: 'call_started', call: { call_id: 'nope' } });
    await s.request('POST', `/hooks/retell/${t.tenantId}`, {
      rawBody: body,
      headers: { 'x-retell-signature': await sign(body, t.retellKey) },
    });
    await req('POST', '/webhooks/verify', {
      provider: 'retell',
      body,
      signature: await sign(body, t.retellKey),
    });
    await req('POST', '/webhooks/verify', {
      provider: 'twilio',
      url: 'https://a.example/',
      params: {},
      signature: 'x',
    });
  });

  it('finds no secret, token or number where it must not be', async () => {
    const { s } = stack;
    const logs = s.logLines.join('\n');
    const responses = s.bodies.join('\n');
    const db = s.server.database.db;
    const audit = JSON.stringify(await db.selectFrom('audit_events').selectAll().execute());
    let raw = '';
    for (const table of [
      'call_records',
      'message_records',
      'email_records',
      'idempotency_payloads',
      'idempotency_keys',
      'audit_events',
      'credentials',
      'phones',
      'rate_limits',
    ]) {
      if (table === 'rate_limits' && dialect === 'sqlite') continue;
      raw += JSON.stringify((await sql`select * from ${sql.table(table)}`.execute(db)).rows);
    }
    if (dialect === 'sqlite') {
      for (const f of ['telvault.db', 'telvault.db-wal']) {
        const p = join(s.dataDir, f);
        if (existsSync(p)) raw += readFileSync(p).toString('latin1');
      }
    }
    // The search means something: requests were logged, with their URLs.
    expect(s.logLines.filter((l) => l.includes('/calls')).length).toBeGreaterThanOrEqual(5);
    expect(s.logLines.filter((l) => l.includes('/hooks/exotel/')).length).toBeGreaterThanOrEqual(2);
    const secrets = {
      twilioAuthToken: t.twilio.authToken,
      twilioKeySecret: t.twilio.keySecret,
      exotelKey: t.exotel.apiKey,
      exotelToken: t.exotel.apiToken,
      sendgridKey: t.sendgridKey,
      retellKey: t.retellKey,
      ...Object.fromEntries(hookTokens.map((h, i) => [`hookToken${i}`, h])),
    };
    for (const [name, value] of Object.entries(secrets)) {
      expect(value.length, name).toBeGreaterThan(8);
      for (const [where, text] of [
        ['logs', logs],
        ['responses', responses],
        ['audit', audit],
        ['database', raw],
      ] as const) {
        expect(count(text, value), `${name} in ${where}`).toBe(0);
      }
    }
    expect(count(responses, accessToken)).toBe(1);
    for (const [where, text] of [
      ['logs', logs],
      ['audit', audit],
      ['database', raw],
    ] as const) {
      expect(count(text, accessToken.slice(-24)), `access token in ${where}`).toBe(0);
      for (const d of destinations)
        expect(count(text, d.slice(-9)), `destination in ${where}`).toBe(0);
      expect(count(text, 'CANARYsmsBody'), `SMS body in ${where}`).toBe(0);
      expect(count(text, 'CANARYemailBody'), `email body in ${where}`).toBe(0);
    }
    expect(count(responses, 'CANARYemailBody')).toBe(0);
    expect(count(responses, smsBody)).toBeGreaterThan(0);
    expect(count(responses, destinations[0] ?? '')).toBeGreaterThan(0);
  });
});
