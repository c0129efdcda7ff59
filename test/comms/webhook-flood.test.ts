// A flood of forged callbacks through the real server (issue 21): anyone who knows a tenant id can
// post to its hook URLs, so 2,000 forged callbacks (Twilio, Retell, Exotel and the platform's
// verify) must add only a handful of audit rows and, past the failure budget, stop decrypting the
// signing key for each; a validly signed Twilio and Retell callback in the middle of the flood are
// still accepted and move their calls. On SQLite (budget in memory), PostgreSQL (its UNLOGGED
// limiter table) and Redis.
import Retell, { sign } from 'retell-sdk';
import twilio from 'twilio';
import { Redis } from 'ioredis';
import { describe, expect, it, vi } from 'vitest';
import { retellBaseUrl } from '../../src/providers/retell/index.js';
import { RATE_LIMIT_TABLE, WEBHOOK_FAILURE_BUDGET } from '../../src/services/limits/index.js';
import { onCi, REDIS_URL, redisReachable } from '../limits/nodes.js';
import type { HttpResult, TestServer } from '../support/server.js';
import { commsTenant, useCommsStack, type CommsTenant } from './support.js';

const hasRedis = await redisReachable();
if (!hasRedis && !onCi) console.warn(`SKIPPING the Redis flood: no Redis at ${REDIS_URL}`);

/** How many of each forged kind: 2,000 in all. */
const FORGED = { twilio: 800, retell: 800, exotel: 200, verify: 200 } as const;
const WORKERS = 16;

type Kind = keyof typeof FORGED;

async function auditRows(s: TestServer): Promise<Map<string, number>> {
  const rows = await s.server.database.db.selectFrom('audit_events').select(['action']).execute();
  const counts = new Map<string, number>();
  for (const r of rows) counts.set(r.action, (counts.get(r.action) ?? 0) + 1);
  return counts;
}

function added(before: Map<string, number>, after: Map<string, number>): Record<string, number> {
  const diff: Record<string, number> = {};
  for (const [action, n] of after) {
    const d = n - (before.get(action) ?? 0);
    if (d !== 0) diff[action] = d;
  }
  return diff;
}

describe.each([
  ['SQLite', 'sqlite', false],
  ['PostgreSQL', 'postgres', false],
  ['Redis', 'postgres', true],
] as const)('2,000 forged callbacks, the budget on %s', (_store, dialect, withRedis) => {
  const skip = withRedis && !hasRedis && !onCi;
  const stack = useCommsStack(dialect, withRedis ? { redisUrl: REDIS_URL } : {});
  let t: CommsTenant;

  const callStatus = async (id: string) =>
    (
      (await stack.s.request('GET', `/v1/tenants/${t.tenantId}/calls/${id}`, { token: t.token }))
        .json as { status: string }
    ).status;

  async function placeRetellCall(): Promise<{ id: string; providerId: string }> {
    const { s, sb } = stack;
    const retell = new Retell({
      apiKey: t.retellKey,
      baseURL: retellBaseUrl({ mode: 'sandbox', sandboxUrl: sb.url }),
    });
    const from = '+14155550160';
    await retell.phoneNumber.import({
      phone_number: from,
      termination_uri: 'telvault.pstn.twilio.com',
      outbound_agents: [{ agent_id: 'agent_flood', weight: 1 }],
    });
    const phone = await s.request('POST', `/v1/tenants/${t.tenantId}/phones`, {
      token: t.token,
      body: { number: from, provider: 'retell', retell: { outboundAgentId: 'agent_flood' } },
    });
    expect(phone.status, phone.text).toBe(201);
    const r = await s.request('POST', `/v1/tenants/${t.tenantId}/calls`, {
      token: t.token,
      body: { fromPhoneId: (phone.json as { id: string }).id, to: '+14155550161' },
    });
    expect(r.status, r.text).toBe(201);
    return r.json as { id: string; providerId: string };
  }

  it.skipIf(skip)(
    'adds a handful of rows, stops decrypting per check, and still accepts valid callbacks',
    async () => {
      const { s } = stack;
      t = await commsTenant(s, stack.sb);
      const placed = await s.request('POST', `/v1/tenants/${t.tenantId}/calls`, {
        token: t.token,
        body: { fromPhoneId: t.phones.twilio, to: '+14155550162', twiml: '<Response/>' },
      });
      expect(placed.status, placed.text).toBe(201);
      const twilioCall = placed.json as { id: string; providerId: string };
      const retellCall = await placeRetellCall();

      const twilioPath = `/hooks/twilio/${t.tenantId}/status`;
      const twilioUrl = `${s.url}${twilioPath}`;
      const form = (p: Record<string, string>) => new URLSearchParams(p).toString();
      const postTwilio = (params: Record<string, string>, signature: string) =>
        s.request('POST', twilioPath, {
          rawBody: form(params),
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            'x-twilio-signature': signature,
          },
        });
      const postRetell = (body: string, signature: string) =>
        s.request('POST', `/hooks/retell/${t.tenantId}`, {
          rawBody: body,
          headers: { 'x-retell-signature': signature },
        });
      const twilioParams = (status: string) => ({
        AccountSid: t.twilio.sid,
        CallSid: twilioCall.providerId,
        CallStatus: status,
      });
      const retellBody = (event: string, status: string) =>
        JSON.stringify({ event, call: { call_id: retellCall.providerId, call_status: status } });

      // The forged ones would each complete their call if they were believed.
      const forgedRetell = retellBody('call_ended', 'ended');
      const forgedRetellSig = await sign(forgedRetell, 'key_not_the_tenants');
      const forged: Record<Kind, (i: number) => Promise<HttpResult>> = {
        twilio: (i) => postTwilio(twilioParams('completed'), `forged${i}AAAAAAAAAAAAAAAAAAAAAA=`),
        retell: () => postRetell(forgedRetell, forgedRetellSig),
        exotel: (i) =>
          s.request('POST', `/hooks/exotel/${t.tenantId}/guessed-token-${i}/status`, {
            body: { CallSid: twilioCall.providerId, Status: 'completed' },
          }),
        verify: (i) =>
          s.request('POST', `/v1/tenants/${t.tenantId}/webhooks/verify`, {
            token: t.token,
            body: {
              provider: 'twilio',
              url: 'https://platform.example.com/twilio/voice',
              params: twilioParams('completed'),
              signature: `forged${i}`,
            },
          }),
      };
      const jobs: { kind: Kind; i: number }[] = [];
      for (const kind of Object.keys(FORGED) as Kind[])
        for (let i = 0; i < FORGED[kind]; i++) jobs.push({ kind, i });
      jobs.sort((a, b) => a.i - b.i); // interleaved, not one kind after another
      expect(jobs).toHaveLength(2_000);

      const opened = vi.spyOn(s.server.services.credentials, 'openForCheck');
      const before = await auditRows(s);
      const answers = new Map<string, number>();
      let next = 0;
      let validSent = false;
      const valid: { twilio?: HttpResult; retell?: HttpResult; flooded?: boolean[] } = {};
      const worker = async (): Promise<void> => {
        while (next < jobs.length) {
          const job = jobs[next];
          next += 1;
          if (job === undefined) break;
          if (!validSent && next >= jobs.length / 2) {
            validSent = true;
            // In the middle of the flood: both tenants' keys are held, and valid callbacks, signed
            // with the providers' own helpers under the tenant's secrets, still get through.
            valid.flooded = [
              s.server.services.webhooks.flooded(t.tenantId, 'twilio'),
              s.server.services.webhooks.flooded(t.tenantId, 'retell'),
            ];
            const params = twilioParams('in-progress');
            valid.twilio = await postTwilio(
              params,
              twilio.getExpectedTwilioSignature(t.twilio.authToken, twilioUrl, params),
            );
            const started = retellBody('call_started', 'ongoing');
            valid.retell = await postRetell(started, await sign(started, t.retellKey));
          }
          const r = await forged[job.kind](job.i);
          const code = (r.json as { error?: { code?: string } } | undefined)?.error?.code;
          const answer = `${job.kind} ${r.status} ${code ?? JSON.stringify(r.json)}`;
          answers.set(answer, (answers.get(answer) ?? 0) + 1);
        }
      };
      await Promise.all(Array.from({ length: WORKERS }, worker));
      const opens = opened.mock.calls.map(([, provider]) => provider);
      opened.mockRestore();

      expect(Object.fromEntries(answers)).toEqual({
        'twilio 403 ERR_WEBHOOK_SIGNATURE_INVALID': FORGED.twilio,
        'retell 403 ERR_WEBHOOK_SIGNATURE_INVALID': FORGED.retell,
        'exotel 403 ERR_WEBHOOK_SIGNATURE_INVALID': FORGED.exotel,
        'verify 200 {"valid":false}': FORGED.verify,
      });
      expect(valid.flooded).toEqual([true, true]);
      expect(valid.twilio?.status, valid.twilio?.text).toBe(204);
      expect(valid.retell?.status, valid.retell?.text).toBe(204);
      expect(await callStatus(twilioCall.id)).toBe('in-progress');
      expect(await callStatus(retellCall.id)).toBe('in-progress');

      // Rows: the two valid callbacks (their use and their status change) and one count per
      // provider and route; none per forged callback.
      await s.server.services.webhooks.flushFailures();
      const diff = added(before, await auditRows(s));
      const rejected = diff['webhook.rejected'] ?? 0;
      expect({ ...diff, 'webhook.rejected': Math.min(rejected, 4) }).toEqual({
        'credential.use': 2,
        'call.status': 2,
        'webhook.rejected': 4,
      });
      // At most one event a minute per tenant, provider and route: a flush by the timer during
      // the flood may have split a count in two.
      expect(rejected).toBeLessThanOrEqual(8);
      const counts = await s.server.database.db
        .selectFrom('audit_events')
        .select(['target', 'detail_json', 'outcome'])
        .where('tenant_id', '=', t.tenantId)
        .where('action', '=', 'webhook.rejected')
        .execute();
      const sum: Record<string, number> = {};
      for (const e of counts) {
        const d = JSON.parse(String(e.detail_json)) as {
          provider: string;
          via: string;
          count: number;
        };
        expect(e.target).toBe(d.provider);
        sum[`${d.provider} ${d.via}`] = (sum[`${d.provider} ${d.via}`] ?? 0) + d.count;
      }
      expect(sum).toEqual({
        'twilio hook': FORGED.twilio,
        'retell hook': FORGED.retell,
        'exotel hook': FORGED.exotel,
        'twilio verify': FORGED.verify,
      });

      // Decryptions: the budget's worth per provider before the key is held, then one per
      // KEY_CACHE_MS (10 s) while it is; the 2,000 forged callbacks never cost one each.
      const twilioOpens = opens.filter((p) => p === 'twilio').length;
      const retellOpens = opens.filter((p) => p === 'retell').length;
      expect(twilioOpens).toBeGreaterThanOrEqual(WEBHOOK_FAILURE_BUDGET.points);
      expect(twilioOpens + retellOpens).toBeLessThan(200);

      // The budget is kept in the deployment's store under a keyed hash, never the tenant id.
      const prefix = `telvault:${WEBHOOK_FAILURE_BUDGET.name}:`;
      let stored: string[] = [];
      if (withRedis) {
        const reader = new Redis(REDIS_URL);
        try {
          stored = await reader.keys(`${prefix}*`);
        } finally {
          reader.disconnect();
        }
      } else if (dialect === 'postgres') {
        const { rows } = await s.server.database.pool!.query<{ key: string }>(
          `select key from ${RATE_LIMIT_TABLE} where key like $1`,
          [`${prefix}%`],
        );
        stored = rows.map((r) => r.key);
      }
      if (withRedis || dialect === 'postgres') expect(stored.length).toBeGreaterThan(0);
      expect(stored.join('\n')).not.toContain(t.tenantId);
    },
  );
});
