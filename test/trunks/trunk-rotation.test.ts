// Password rotation without a dead moment: while the rotation moves every Retell number to the
// second credential, a loop of Retell's outbound check on every number never fails; afterwards
// the old credential is gone from the trunk's list, the new one is the trunk's and verifies, and
// a setup re-run writes nothing. A number telvault put on the trunk that the tenant's Retell key
// cannot see blocks the deletion; the re-run after it is fixed resumes and finishes.
import { beforeAll, describe, expect, it } from 'vitest';
import type { TestSandbox } from '../support/sandbox.js';
import type { TestServer } from '../support/server.js';
import {
  heldPassword,
  numbersOnTrunk,
  outboundCheck,
  sipVerifies,
  trunkTenant,
  twilioCalls,
  twilioOf,
  viewOf,
  withRetell,
  useTrunkStack,
} from './support.js';

interface Job {
  id: string;
  state: string;
  error: string | null;
  result: {
    state: string;
    username: string;
    credentialSid: string;
    previousCredentialSid: string;
    previousCredentialDeleted: boolean;
    numbers: { total: number; moved: number };
    blocked: { phoneNumber: string; reason: string }[];
  } | null;
}

describe('SIP password rotation', () => {
  const stack = useTrunkStack('sqlite');
  let sb: TestSandbox;
  let s: TestServer;
  beforeAll(() => ({ sb, s } = stack));

  async function readyTrunkWithNumbers(count: number) {
    const t = await trunkTenant(s, sb);
    const key = await withRetell(s, sb, t.tenantId, t.token);
    const v = viewOf(
      await s.request('PUT', `/v1/tenants/${t.tenantId}/trunk`, { token: t.token, body: {} }),
    );
    const numbers = await numbersOnTrunk(
      sb,
      t.account,
      key,
      { trunkSid: v.trunkSid ?? '', domainName: v.domainName ?? '' },
      count,
    );
    const fixed = await s.request('POST', `/v1/tenants/${t.tenantId}/trunk/repair?wait=true`, {
      token: t.token,
      body: {},
    });
    expect(fixed.status, fixed.text).toBe(200);
    for (const n of numbers) expect(await outboundCheck(sb, n)).toEqual({ ok: true });
    return { ...t, key, view: v, numbers };
  }

  it('never leaves a number unable to authenticate, and retires the old credential', async () => {
    const t = await readyTrunkWithNumbers(6);
    const oldPassword = (await heldPassword(s, t.tenantId)).reveal();
    // Slow Retell updates down, so the check loop runs many times during the rotation.
    sb.context.faults.add({
      method: 'PATCH',
      route: '/retell/update-phone-number/:number',
      times: 0,
      action: { kind: 'latency', ms: 40 },
    });
    const started = await s.request('POST', `/v1/tenants/${t.tenantId}/trunk/rotate-password`, {
      token: t.token,
    });
    expect(started.status, started.text).toBe(202);
    const jobId = (started.json as Job).id;
    let checks = 0;
    const failures: string[] = [];
    let finished = false;
    const done = s.server.services.trunks.drain().then(() => (finished = true));
    while (!finished) {
      for (const n of t.numbers) {
        const c = await outboundCheck(sb, n);
        checks += 1;
        if (!c.ok) failures.push(`${n}: ${c.reason ?? '?'}`);
      }
    }
    await done;
    sb.context.faults.clear();
    expect(failures).toEqual([]);
    expect(checks).toBeGreaterThan(t.numbers.length * 2);

    const job = (
      await s.request('GET', `/v1/tenants/${t.tenantId}/jobs/${jobId}`, { token: t.token })
    ).json as Job;
    expect(job.state, job.error ?? '').toBe('done');
    expect(job.result).toMatchObject({ state: 'done', previousCredentialDeleted: true });
    expect(job.result?.numbers).toMatchObject({ total: 6, moved: 6 });
    const v = viewOf(await s.request('GET', `/v1/tenants/${t.tenantId}/trunk`, { token: t.token }));
    expect(v.credential?.sid).toBe(job.result?.credentialSid);
    expect(v.credential?.username).not.toBe(t.view.credential?.username);
    expect(v.credential?.sid).not.toBe(t.view.credential?.sid);
    const tw = await twilioOf(sb, t.account.sid);
    expect(tw.credentialLists[0]?.credentials.map((c) => c.sid)).toEqual([v.credential?.sid]);
    const newPassword = (await heldPassword(s, t.tenantId)).reveal();
    expect(newPassword).not.toBe(oldPassword);
    expect(
      await sipVerifies(sb, v.domainName ?? '', v.credential?.username ?? '', newPassword),
    ).toBe(true);
    for (const n of t.numbers) expect(await outboundCheck(sb, n)).toEqual({ ok: true });
    // The setup re-run agrees with the rotated state: nothing to write.
    sb.context.counters.clear();
    expect(
      viewOf(
        await s.request('PUT', `/v1/tenants/${t.tenantId}/trunk`, { token: t.token, body: {} }),
      ).state,
    ).toBe('ready');
    expect((await twilioCalls(sb)).writes).toBe(0);
  });

  it('a number Retell no longer shows blocks the deletion; the re-run resumes', async () => {
    const t = await readyTrunkWithNumbers(2);
    const [gone] = t.numbers;
    // Telvault knows the number as on the trunk; Retell's key does not show it any more.
    await s.server.database.db.updateTable('phones').set({ trunk_id: null }).execute();
    const trunkRow = await s.server.database.db
      .selectFrom('sip_trunks')
      .select('id')
      .where('tenant_id', '=', t.tenantId)
      .executeTakeFirstOrThrow();
    const phone = await s.request('POST', `/v1/tenants/${t.tenantId}/phones`, {
      token: t.token,
      body: { number: gone, provider: 'retell' },
    });
    expect(phone.status, phone.text).toBe(201);
    await s.server.database.db
      .updateTable('phones')
      .set({ trunk_id: trunkRow.id })
      .where('id', '=', (phone.json as { id: string }).id)
      .execute();
    const { createRetellClient } = await import('../../src/providers/retell/index.js');
    const { Secret } = await import('../../src/crypto/index.js');
    const retell = createRetellClient(new Secret(t.key), { mode: 'sandbox', sandboxUrl: sb.url });
    await retell.deleteNumber(gone ?? '');

    const blocked = (
      await s.request('POST', `/v1/tenants/${t.tenantId}/trunk/rotate-password?wait=true`, {
        token: t.token,
      })
    ).json as Job;
    expect(blocked.result?.state).toBe('blocked');
    expect(blocked.result?.blocked).toEqual([
      { phoneNumber: gone, reason: "not visible under the tenant's Retell key" },
    ]);
    // Both credentials are on the list meanwhile: the remaining number still authenticates.
    expect((await twilioOf(sb, t.account.sid)).credentialLists[0]?.credentials).toHaveLength(2);
    expect(await outboundCheck(sb, t.numbers[1] ?? '')).toEqual({ ok: true });

    await s.request(
      'DELETE',
      `/v1/tenants/${t.tenantId}/phones/${(phone.json as { id: string }).id}`,
      {
        token: t.token,
      },
    );
    const resumed = (
      await s.request('POST', `/v1/tenants/${t.tenantId}/trunk/rotate-password?wait=true`, {
        token: t.token,
      })
    ).json as Job;
    expect(resumed.result).toMatchObject({ state: 'done', previousCredentialDeleted: true });
    expect((await twilioOf(sb, t.account.sid)).credentialLists[0]?.credentials).toHaveLength(1);
    expect(await outboundCheck(sb, t.numbers[1] ?? '')).toEqual({ ok: true });
  });
});
