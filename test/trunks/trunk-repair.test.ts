// Repair: Retell numbers on the trunk with an empty auth_username (the field reports' bug) fail
// Retell's outbound check; a dry run reports would-fix and changes nothing; the repair fixes them
// (termination URI, username and password, all three) and the check passes; a second repair finds
// them ok. As a job: 202 then GET …/jobs/:id, or ?wait=true answering 200 with the result.
import { beforeAll, describe, expect, it } from 'vitest';
import type { TestSandbox } from '../support/sandbox.js';
import { DIALECTS, type TestServer } from '../support/server.js';
import {
  numbersOnTrunk,
  outboundCheck,
  trunkTenant,
  viewOf,
  withRetell,
  useTrunkStack,
} from './support.js';

interface Job {
  id: string;
  state: string;
  progress: { done: number; total: number };
  result: {
    total: number;
    fixed: number;
    alreadyOk: number;
    failed: number;
    results: { phoneNumber: string; action: string; authUsername?: string }[];
  } | null;
}

describe.each(DIALECTS)('trunk repair on %s', (dialect) => {
  const stack = useTrunkStack(dialect);
  let sb: TestSandbox;
  let s: TestServer;
  beforeAll(() => ({ sb, s } = stack));

  it('dry run reports, repair fixes, the outbound check then passes', async () => {
    const { tenantId, token, account } = await trunkTenant(s, sb);
    const key = await withRetell(s, sb, tenantId, token);
    const v = viewOf(await s.request('PUT', `/v1/tenants/${tenantId}/trunk`, { token, body: {} }));
    const trunk = { trunkSid: v.trunkSid ?? '', domainName: v.domainName ?? '' };
    const numbers = await numbersOnTrunk(sb, account, key, trunk, 3);
    // One number on another trunk's domain: not this trunk's, left alone.
    const foreign = await numbersOnTrunk(
      sb,
      account,
      key,
      { trunkSid: trunk.trunkSid, domainName: 'elsewhere.pstn.twilio.com' },
      1,
    );
    for (const n of numbers) expect((await outboundCheck(sb, n)).ok).toBe(false);

    const dry = await s.request('POST', `/v1/tenants/${tenantId}/trunk/repair?wait=true`, {
      token,
      body: { dryRun: true },
    });
    expect(dry.status, dry.text).toBe(200);
    const dj = dry.json as Job;
    expect(dj.result?.total).toBe(3);
    expect(dj.result?.results.map((x) => x.action)).toEqual([
      'would-fix',
      'would-fix',
      'would-fix',
    ]);
    for (const n of numbers) expect((await outboundCheck(sb, n)).ok).toBe(false);

    // Without wait: 202 and the job, then its result by id.
    const started = await s.request('POST', `/v1/tenants/${tenantId}/trunk/repair`, {
      token,
      body: {},
    });
    expect(started.status, started.text).toBe(202);
    const jobId = (started.json as Job).id;
    await s.server.services.trunks.drain();
    const got = await s.request('GET', `/v1/tenants/${tenantId}/jobs/${jobId}`, { token });
    expect(got.status, got.text).toBe(200);
    const job = got.json as Job;
    expect(job.state).toBe('done');
    expect(job.progress).toEqual({ done: 3, total: 3 });
    expect(job.result).toMatchObject({ total: 3, fixed: 3, alreadyOk: 0, failed: 0 });
    expect(job.result?.results.every((x) => x.authUsername === v.credential?.username)).toBe(true);
    for (const n of numbers) expect(await outboundCheck(sb, n)).toEqual({ ok: true });
    expect((await outboundCheck(sb, foreign[0] ?? '')).ok).toBe(false);

    // Nothing left to fix; one number alone.
    const again = await s.request('POST', `/v1/tenants/${tenantId}/trunk/repair?wait=true`, {
      token,
      body: { phoneNumber: numbers[0] },
    });
    expect((again.json as Job).result).toMatchObject({ total: 1, fixed: 0, alreadyOk: 1 });

    // Audited with counts only.
    const events = await s.server.database.db
      .selectFrom('audit_events')
      .select(['action', 'detail_json'])
      .where('tenant_id', '=', tenantId)
      .where('action', '=', 'trunk.repair')
      .execute();
    expect(events).toHaveLength(3);
    for (const e of events)
      for (const n of numbers) expect(e.detail_json ?? '').not.toContain(n.slice(2));
  });

  it('a job of another tenant is 404; repair before setup is 404; bad input is 400', async () => {
    const a = await trunkTenant(s, sb, 'a');
    const b = await trunkTenant(s, sb, 'b');
    const none = await s.request('POST', `/v1/tenants/${a.tenantId}/trunk/repair`, {
      token: a.token,
      body: {},
    });
    expect(none.status).toBe(404);
    await withRetell(s, sb, a.tenantId, a.token);
    await s.request('PUT', `/v1/tenants/${a.tenantId}/trunk`, { token: a.token, body: {} });
    const bad = await s.request('POST', `/v1/tenants/${a.tenantId}/trunk/repair`, {
      token: a.token,
      body: { phoneNumber: '415 555 0100' },
    });
    expect(bad.status).toBe(400);
    expect(bad.text).toMatch(/phoneNumber/);
    const started = await s.request('POST', `/v1/tenants/${a.tenantId}/trunk/repair?wait=true`, {
      token: a.token,
      body: {},
    });
    const id = (started.json as Job).id;
    const cross = await s.request('GET', `/v1/tenants/${b.tenantId}/jobs/${id}`, {
      token: b.token,
    });
    expect(cross.status).toBe(404);
  });
});
