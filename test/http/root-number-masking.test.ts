// One masking rule for every answer that names a phone number: full to the tenant, masked to the
// root token (`+1******0101`). The sweep reads every GET route of the OpenAPI document as root,
// with its path parameters filled from what a tenant made (phones, calls, messages, trunk jobs of
// every kind, audit), plus the POSTs that answer a job or replay a stored answer; a route or job
// kind added later is swept too, and a path parameter the sweep cannot fill fails it.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Scope } from '../../src/services/tokens/index.js';
import { commsTenant, useCommsStack } from '../comms/support.js';
import type { TestSandbox } from '../support/sandbox.js';
import { DIALECTS, type HttpResult, type TestServer } from '../support/server.js';
import { numbersOnTrunk, viewOf } from '../trunks/support.js';

const ALL: Scope[] = [
  'calls:create',
  'messages:send',
  'activity:read',
  'phones:write',
  'phones:read',
  'trunks:manage',
  'audit:read',
  'keys:read',
  'secrets:read',
  'secrets:write',
  'credentials:read',
  'settings:manage',
  'tokens:manage',
];

const PROVIDERS = ['twilio', 'retell', 'exotel', 'sendgrid'];

/** The digits of an E.164 number: what must not appear whole in a root answer. */
const digitsOf = (e164: string) => e164.replace(/\D/g, '');

describe.each(DIALECTS)('numbers masked to the root token on %s', (dialect) => {
  const stack = useCommsStack(dialect);
  let sb: TestSandbox;
  let s: TestServer;
  beforeAll(() => ({ sb, s } = stack));

  it('no root answer of any route or job kind holds a full number the tenant sees', async () => {
    const t = await commsTenant(s, sb, 'masking');
    const token = await s.mintToken(t.tenantId, ALL);
    const base = `/v1/tenants/${t.tenantId}`;
    const ok = async (r: Promise<HttpResult>, ...status: number[]) => {
      const res = await r;
      expect(status.length === 0 ? [200] : status, res.text).toContain(res.status);
      return res;
    };

    // What the tenant makes: a trunk with broken numbers on it, a purchase, a call, a message,
    // and every kind of trunk job (repair dry run and real, password rotation).
    const trunk = viewOf(await ok(s.request('PUT', `${base}/trunk`, { token, body: {} })));
    const onTrunk = await numbersOnTrunk(
      sb,
      t.twilio,
      t.retellKey,
      { trunkSid: trunk.trunkSid ?? '', domainName: trunk.domainName ?? '' },
      2,
    );
    const purchaseBody = { areaCode: '415', label: 'sweep' };
    const bought = await ok(
      s.request('POST', `${base}/phones/purchase`, {
        token,
        body: purchaseBody,
        headers: { 'idempotency-key': 'sweep-buy' },
      }),
      201,
    );
    const boughtNumber = (bought.json as { number: string }).number;
    const callTo = '+14155550199';
    const smsTo = '+14155550188';
    const callBody = { fromPhoneId: t.phones.twilio, to: callTo, twiml: '<Response/>' };
    const smsBody = { to: smsTo, body: 'sweep-content-canary' };
    const send = (path: string, body: unknown, key: string, as = token) =>
      ok(
        s.request('POST', `${base}${path}`, {
          token: as,
          body,
          headers: { 'idempotency-key': key },
        }),
        201,
      );
    await send('/calls', callBody, 'sweep-call');
    await send('/messages', smsBody, 'sweep-sms');
    await ok(
      s.request('POST', `${base}/emails`, {
        token,
        body: { to: ['someone@example.com'], subject: 'sweep', text: 'hello' },
      }),
      201,
    );
    await ok(s.request('PUT', `${base}/secrets/sweep`, { token, body: { value: 'not-a-number' } }));
    const jobIds: string[] = [];
    const job = async (path: string, body?: unknown) => {
      const r = await ok(s.request('POST', `${base}${path}?wait=true`, { token, body }));
      jobIds.push((r.json as { id: string }).id);
      return r;
    };
    const dry = await job('/trunk/repair', { dryRun: true });
    await job('/trunk/repair', {});
    await job('/trunk/rotate-password');

    const numbers = [
      t.twilio.number,
      t.exotelNumber,
      ...onTrunk,
      boughtNumber,
      callTo,
      smsTo,
      ...(
        (await ok(s.request('GET', `${base}/phones`, { token }))).json as {
          phones: { number: string }[];
        }
      ).phones.map((p) => p.number),
    ];
    // The sweep can see what it looks for: the tenant's own job result names the numbers.
    for (const n of onTrunk) expect(dry.text).toContain(n);

    // Values for path parameters: ids from the parent collection as the tenant lists it.
    const idsUnder = async (collection: string): Promise<string[]> => {
      const r = await s.request('GET', collection, { token });
      if (r.status !== 200 || r.json === null || typeof r.json !== 'object') return [];
      const list = Object.values(r.json).find((v): v is unknown[] => Array.isArray(v)) ?? [];
      return list.flatMap((item) => {
        const o = item as { id?: unknown; name?: unknown };
        const v = o.id ?? o.name;
        return typeof v === 'string' ? [v] : [];
      });
    };
    const fill = async (template: string): Promise<string[]> => {
      const m = /\{(\w+)\}/.exec(template);
      if (m === null) return [template];
      const [whole, name] = m;
      const before = template.slice(0, m.index).replace(/\/$/, '');
      let values: string[];
      if (name === 'tenantId') values = [t.tenantId];
      else if (name === 'provider') values = PROVIDERS;
      else if (name === 'jobId') values = jobIds;
      else values = await idsUnder(before.replaceAll('{tenantId}', t.tenantId));
      expect(values.length, `no value to fill {${name}} in ${template}`).toBeGreaterThan(0);
      const out: string[] = [];
      for (const v of values) out.push(...(await fill(template.replace(whole, v))));
      return out;
    };

    const doc = (await ok(s.request('GET', '/openapi.json'))).json as {
      paths: Record<string, Record<string, unknown>>;
    };
    const answers: { what: string; text: string }[] = [];
    for (const [template, ops] of Object.entries(doc.paths)) {
      if (!('get' in ops) || !template.startsWith('/v1/')) continue;
      for (const path of await fill(template)) {
        const r = await s.request('GET', path, { token: s.rootToken });
        answers.push({ what: `GET ${path} (${r.status})`, text: r.text });
      }
    }
    // Live drift names numbers too.
    const live = await s.request('GET', `${base}/trunk?check=live`, { token: s.rootToken });
    answers.push({ what: 'GET trunk?check=live', text: live.text });
    // The POSTs whose answers are jobs or stored answers: run and replayed as root.
    for (const [path, body] of [
      ['/trunk/repair?wait=true', { dryRun: true }],
      ['/trunk/rotate-password?wait=true', undefined],
    ] as const) {
      const r = await ok(s.request('POST', `${base}${path}`, { token: s.rootToken, body }));
      answers.push({ what: `POST ${path}`, text: r.text });
    }
    const replay = await ok(
      s.request('POST', `${base}/phones/purchase`, {
        token: s.rootToken,
        body: purchaseBody,
        headers: { 'idempotency-key': 'sweep-buy' },
      }),
      201,
    );
    expect((replay.json as { id: string }).id).toBe((bought.json as { id: string }).id);
    answers.push({ what: 'POST phones/purchase (replayed)', text: replay.text });
    for (const [path, body, key] of [
      ['/calls', callBody, 'sweep-call'],
      ['/messages', smsBody, 'sweep-sms'],
    ] as const) {
      const r = await send(path, body, key, s.rootToken);
      expect(r.headers.get('idempotent-replayed')).toBe('true');
      answers.push({ what: `POST ${path} (replayed)`, text: r.text });
    }

    expect(answers.length).toBeGreaterThan(20);
    const leaks = answers.flatMap(({ what, text }) =>
      numbers.filter((n) => text.includes(digitsOf(n))).map((n) => `${what}: …${n.slice(-4)}`),
    );
    expect(leaks).toEqual([]);
    // Nor the content of the tenant's traffic (an SMS body).
    expect(answers.filter((a) => a.text.includes(smsBody.body)).map((a) => a.what)).toEqual([]);
  });
});
