// 50 setups of one tenant's trunk at once, spread over 2 server processes on one PostgreSQL
// database: exactly one of each resource at the sandbox and 50 answers that agree. The sandbox
// holds the first trunk create until several requests are in flight, so the runs really overlap.
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, spawnServer, tenantWithToken, type ChildServer } from '../support/child-server.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { startTestSandbox, type TestSandbox } from '../support/sandbox.js';
import { newTwilioAccount, twilioOf, type TrunkViewJson } from './support.js';

describe('50 concurrent setups over 2 processes on one PostgreSQL', () => {
  let sb: TestSandbox;
  let pg: TestDatabase;
  const nodes: ChildServer[] = [];
  const rootToken = `tvr_${randomBytes(32).toString('base64url')}`;

  beforeAll(async () => {
    sb = await startTestSandbox();
    pg = await createTestDatabase('trunkrace');
    const env = {
      TELVAULT_DATABASE_URL: pg.url,
      TELVAULT_MASTER_KEY: randomBytes(32).toString('base64'),
      TELVAULT_ROOT_TOKEN: rootToken,
      TELVAULT_PROVIDERS: 'sandbox',
      TELVAULT_SANDBOX_URL: sb.url,
    };
    // One after the other: the first applies the migrations.
    for (const name of ['a', 'b']) {
      const dir = mkdtempSync(join(tmpdir(), `tv-trunk-${name}-`));
      nodes.push(await spawnServer({ ...env, TELVAULT_DATA_DIR: dir }));
    }
  });
  afterAll(async () => {
    await Promise.all(nodes.map((n) => n.stop()));
    await sb?.close();
    await pg?.drop();
  });

  it('ends in exactly one of each resource, and all 50 answers agree', async () => {
    const [a, b] = nodes;
    if (a === undefined || b === undefined) throw new Error('nodes did not start');
    const { tenantId, token } = await tenantWithToken(a.url, rootToken, [
      'trunks:manage',
      'credentials:write',
    ]);
    const account = await newTwilioAccount(sb);
    const put = await call(a.url, 'PUT', `/v1/tenants/${tenantId}/credentials/twilio`, token, {
      accountSid: account.sid,
      authToken: account.authToken,
    });
    expect(put.status, put.text).toBe(200);
    // The first trunk create is held until released, with every other request piling up.
    const barrier = await sb.admin('POST', 'barriers', {
      method: 'POST',
      route: '/twilio-trunking/v1/Trunks',
      parties: 0,
      timeoutMs: 20_000,
    });
    const barrierId = (barrier.body as { id: string }).id;
    const answers = Array.from({ length: 50 }, (_, i) =>
      call((i % 2 === 0 ? a : b).url, 'PUT', `/v1/tenants/${tenantId}/trunk`, token, {}),
    );
    await sb.context.barriers.waitForArrivals(barrierId, 1);
    await new Promise((r) => setTimeout(r, 300));
    await sb.admin('POST', `barriers/${barrierId}/release`);
    const results = await Promise.all(answers);
    for (const r of results) expect(r.status, r.text).toBe(200);
    const views = results.map((r) => r.json as TrunkViewJson);
    const first = views[0];
    for (const v of views) {
      expect(v.state).toBe('ready');
      expect(v.trunkSid).toBe(first?.trunkSid);
      expect(v.credential?.sid).toBe(first?.credential?.sid);
      expect(v.credentialList?.sid).toBe(first?.credentialList?.sid);
    }
    const tw = await twilioOf(sb, account.sid);
    expect(tw.trunks).toHaveLength(1);
    expect(tw.credentialLists).toHaveLength(1);
    expect(tw.credentialLists[0]?.credentials).toHaveLength(1);
    expect(tw.trunks[0]?.credentialLists).toHaveLength(1);
    expect(tw.trunks[0]?.originationUrls).toHaveLength(1);
    // Only one trunk create ever reached Twilio.
    const counters = (await sb.admin('GET', 'counters')).body as Record<string, number>;
    expect(counters['POST /twilio-trunking/v1/Trunks']).toBe(1);
  });
});
