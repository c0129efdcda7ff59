// The Exotel emulator over raw HTTP (there is no official SDK): JSON with `.json`, XML without,
// RestException errors in both, Basic auth per host cluster, and the call log with paging.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { completeExotelCall } from '../../../src/sandbox/exotel/exotel-status-callback.js';
import { useTestSandbox } from '../../support/sandbox.js';

const ACCOUNT = {
  host: 'api.in.exotel.com',
  sid: 'emu_in',
  apiKey: 'emu_key',
  apiToken: 'EmuToken-0a1b2c3d',
} as const;
const kit = useTestSandbox({ exotel: { accounts: [ACCOUNT] } });

const base = `/exotel/${ACCOUNT.host}/v1/Accounts/${ACCOUNT.sid}`;
const basic = (key: string, token: string) =>
  `Basic ${Buffer.from(`${key}:${token}`).toString('base64')}`;
const AUTH = basic(ACCOUNT.apiKey, ACCOUNT.apiToken);

async function send(method: string, path: string, form?: Record<string, string>, auth = AUTH) {
  const res = await fetch(`${kit.url}${path}`, {
    method,
    headers: {
      authorization: auth,
      ...(form === undefined ? {} : { 'content-type': 'application/x-www-form-urlencoded' }),
    },
    ...(form === undefined ? {} : { body: new URLSearchParams(form).toString() }),
  });
  return {
    status: res.status,
    type: res.headers.get('content-type') ?? '',
    text: await res.text(),
  };
}
const connectForm = { From: '+919800000001', To: '+919800000002', CallerId: '08047000000' };

describe('Exotel emulator', () => {
  it('answers Calls/connect.json in JSON and Calls/connect in XML', async () => {
    const json = await send('POST', `${base}/Calls/connect.json`, connectForm);
    expect(json.status).toBe(200);
    expect(json.type).toContain('application/json');
    const call = (JSON.parse(json.text) as { Call: Record<string, unknown> }).Call;
    expect(call).toMatchObject({
      AccountSid: ACCOUNT.sid,
      From: connectForm.From,
      To: connectForm.To,
      PhoneNumberSid: connectForm.CallerId,
      Status: 'in-progress',
      Direction: 'outbound-api',
      EndTime: null,
    });
    expect(call.DateCreated).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    expect(call.Uri).toBe(`/v1/Accounts/${ACCOUNT.sid}/Calls/${String(call.Sid)}.json`);

    const xml = await send('POST', `${base}/Calls/connect`, connectForm);
    expect(xml.status).toBe(200);
    expect(xml.type).toContain('application/xml');
    expect(xml.text).toMatch(
      /^<\?xml version="1.0" encoding="UTF-8"\?>\n<TwilioResponse><Call><Sid>[0-9a-f]{32}<\/Sid><ParentCallSid\/>/,
    );
  });

  it('connects a number to a flow with Url and no To', async () => {
    const flow = {
      From: '+919800000001',
      CallerId: '08047000000',
      Url: 'http://my.exotel.com/emu_in/exoml/start_voice/1',
    };
    expect((await send('POST', `${base}/Calls/connect.json`, flow)).status).toBe(200);
  });

  it('answers RestException errors in the format the path asks for', async () => {
    const missing = await send('POST', `${base}/Calls/connect.json`, { From: '+919800000001' });
    expect(missing.status).toBe(400);
    expect(JSON.parse(missing.text)).toEqual({
      RestException: { Status: 400, Message: 'Missing parameter: CallerId' },
    });
    const xml = await send('POST', `${base}/Calls/connect`, { ...connectForm, TimeLimit: '99999' });
    expect(xml.status).toBe(400);
    expect(xml.text).toContain(
      '<RestException><Status>400</Status><Message>Invalid parameter: TimeLimit',
    );
    const unauthorized = await send(
      'POST',
      `${base}/Calls/connect.json`,
      connectForm,
      basic(ACCOUNT.apiKey, 'wrong'),
    );
    expect(unauthorized.status).toBe(401);
    expect(JSON.parse(unauthorized.text)).toMatchObject({ RestException: { Status: 401 } });
    expect((await send('GET', `${base}/Calls.json`, undefined, '')).status).toBe(401);
  });

  it('refuses a Calls/connect parameter Exotel does not list, naming it, and places no call', async () => {
    const r = await send('POST', `${base}/Calls/connect.json`, {
      ...connectForm,
      CallerID: '08047000000',
      Timeout: '30',
    });
    expect(r.status).toBe(400);
    expect(JSON.parse(r.text)).toEqual({
      RestException: { Status: 400, Message: 'Invalid parameter: CallerID, Timeout (unknown)' },
    });
    const log = await send('GET', `${base}/Calls.json`);
    expect(JSON.parse(log.text)).toMatchObject({ Calls: [] });
  });

  it('keeps each host its own cluster; unknown hosts are 404', async () => {
    const other = `/exotel/api.exotel.com/v1/Accounts/${ACCOUNT.sid}/Calls/connect.json`;
    expect((await send('POST', other, connectForm)).status).toBe(401);
    const unknown = `/exotel/evil.example.com/v1/Accounts/${ACCOUNT.sid}/Calls/connect.json`;
    expect((await send('POST', unknown, connectForm)).status).toBe(404);
  });

  it('keeps a call log: fetch one call, list newest first with PageSize and Before', async () => {
    const sids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await send('POST', `${base}/Calls/connect.json`, connectForm);
      sids.push((JSON.parse(res.text) as { Call: { Sid: string } }).Call.Sid);
    }
    const one = await send('GET', `${base}/Calls/${sids[0]}.json`);
    expect(JSON.parse(one.text)).toMatchObject({ Call: { Sid: sids[0] } });
    expect((await send('GET', `${base}/Calls/${sids[0]}`)).text).toContain(`<Sid>${sids[0]}</Sid>`);
    expect((await send('GET', `${base}/Calls/${'f'.repeat(32)}.json`)).status).toBe(404);

    type Page = {
      Metadata: { NextPageUri: string | null; Total: number };
      Calls: { Sid: string }[];
    };
    const first = JSON.parse((await send('GET', `${base}/Calls.json?PageSize=2`)).text) as Page;
    expect(first.Calls.map((c) => c.Sid)).toEqual([sids[2], sids[1]]);
    expect(first.Metadata).toMatchObject({
      Total: 3,
      NextPageUri: `/v1/Accounts/${ACCOUNT.sid}/Calls.json?PageSize=2&Before=${sids[1]}`,
    });
    const next = JSON.parse(
      (await send('GET', `/exotel/${ACCOUNT.host}${first.Metadata.NextPageUri}`)).text,
    ) as Page;
    expect(next.Calls.map((c) => c.Sid)).toEqual([sids[0]]);
    expect(next.Metadata.NextPageUri).toBeNull();
  });

  it('creates accounts through the admin surface and dumps state without tokens', async () => {
    const created = await fetch(`${kit.url}/__sandbox/exotel/accounts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ host: 'api.exotel.com' }),
    });
    expect(created.status).toBe(201);
    const account = (await created.json()) as { sid: string; apiKey: string; apiToken: string };
    const path = `/exotel/api.exotel.com/v1/Accounts/${account.sid}/Calls/connect.json`;
    expect(
      (await send('POST', path, connectForm, basic(account.apiKey, account.apiToken))).status,
    ).toBe(200);
    const state = await (await fetch(`${kit.url}/__sandbox/state`)).text();
    expect(state).toContain(account.sid);
    for (const secret of [account.apiToken, ACCOUNT.apiToken]) expect(state).not.toContain(secret);
  });

  it('answers an injected fault with an XML or JSON RestException', async () => {
    kit.sandbox.context.faults.add({
      path: '/Calls/connect',
      action: { kind: 'error', status: 503, message: 'Down' },
    });
    kit.sandbox.context.faults.add({
      path: '/Calls/connect',
      nth: 2,
      action: { kind: 'error', status: 503, message: 'Down' },
    });
    const xml = await send('POST', `${base}/Calls/connect`, connectForm);
    expect(xml).toMatchObject({ status: 503 });
    expect(xml.text).toContain('<RestException><Status>503</Status><Message>Down</Message>');
    const json = await send('POST', `${base}/Calls/connect.json`, connectForm);
    expect(JSON.parse(json.text)).toEqual({ RestException: { Status: 503, Message: 'Down' } });
  });

  it('ends a call and POSTs the terminal StatusCallback (multipart by default, or JSON)', async () => {
    const received: { type: string; body: string }[] = [];
    const hook = createServer((req: IncomingMessage, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      req.on('end', () => {
        received.push({ type: req.headers['content-type'] ?? '', body });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
    const hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/exotel-status`;
    try {
      for (const contentType of [undefined, 'application/json']) {
        const form = {
          ...connectForm,
          StatusCallback: hookUrl,
          ...(contentType === undefined ? {} : { StatusCallbackContentType: contentType }),
        };
        const placed = await send('POST', `${base}/Calls/connect.json`, form);
        const sid = (JSON.parse(placed.text) as { Call: { Sid: string } }).Call.Sid;
        const call = kit.sandbox.context.exotel.findCall(ACCOUNT.host, ACCOUNT.sid, sid);
        expect(call).toBeDefined();
        if (call === undefined) return;
        const result = await completeExotelCall(call, 'completed');
        expect(result).toMatchObject({
          status: 200,
          fields: { CallSid: sid, Status: 'completed', EventType: 'terminal' },
        });
        const after = JSON.parse((await send('GET', `${base}/Calls/${sid}.json`)).text) as {
          Call: { Status: string; EndTime: string | null };
        };
        expect(after.Call.Status).toBe('completed');
        expect(after.Call.EndTime).not.toBeNull();
      }
      expect(received[0]?.type).toMatch(/^multipart\/form-data; boundary=/);
      expect(received[0]?.body).toContain('name="CallSid"');
      expect(received[1]?.type).toBe('application/json');
      expect(JSON.parse(received[1]?.body ?? '{}')).toMatchObject({
        Status: 'completed',
        From: connectForm.From,
      });
    } finally {
      await new Promise((resolve) => hook.close(resolve));
    }
  });
});
