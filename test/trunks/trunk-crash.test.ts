// SIGKILL of the server process at every setup step: the step's provider write is held at the
// sandbox, the process is killed, then the write is let through (the provider applies what the
// dead process sent, as when its answer is lost). A new process on the same SQLite file re-runs the
// setup once the dead run's lease has expired, and it converges: no duplicate at the sandbox, and
// the credential's password is the one telvault holds.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openServices } from '../../src/app/open-services.js';
import { loadConfig } from '../../src/config.js';
import { asTenantId } from '../../src/crypto/index.js';
import {
  call,
  sandboxNodeEnv,
  spawnServer,
  tenantWithToken,
  type ChildServer,
} from '../support/child-server.js';
import { startTestSandbox, type TestSandbox } from '../support/sandbox.js';
import {
  expectConverged,
  newTwilioAccount,
  STEP_WRITES,
  twilioOf,
  type TrunkViewJson,
} from './support.js';

describe('SIGKILL at every setup step', () => {
  let sb: TestSandbox;
  let env: Record<string, string>;
  const rootToken = `tvr_${randomBytes(32).toString('base64url')}`;
  let node: ChildServer | undefined;

  beforeAll(async () => {
    sb = await startTestSandbox();
    env = sandboxNodeEnv('tv-trunk-crash', sb.url, rootToken, {
      TELVAULT_TRUNK_LEASE_SECONDS: '3',
      TELVAULT_TRUNK_WAIT_SECONDS: '20',
      TELVAULT_IDEMPOTENCY_LEASE_SECONDS: '3',
    });
    node = await spawnServer(env);
  });
  afterAll(async () => {
    await node?.stop();
    await sb?.close();
  });

  /** The SIP password telvault holds, read from the same SQLite file in this process. */
  async function heldPassword(tenantId: string): Promise<string> {
    const opened = await openServices(loadConfig(env));
    try {
      const db = opened.database.db;
      const row = await db
        .selectFrom('sip_trunks')
        .select(['id', 'password_env'])
        .where('tenant_id', '=', tenantId)
        .executeTakeFirstOrThrow();
      const p = await opened.services.keys.openField(
        asTenantId(tenantId),
        { entity: 'sip-trunk', field: 'password', recordId: row.id },
        row.password_env ?? '',
      );
      return p.reveal();
    } finally {
      await opened.close();
    }
  }

  it.each(Object.keys(STEP_WRITES))('killed at %s, the next process converges', async (step) => {
    if (node === undefined) throw new Error('no node');
    const { tenantId, token } = await tenantWithToken(node.url, rootToken, [
      'trunks:manage',
      'credentials:write',
    ]);
    const account = await newTwilioAccount(sb);
    const put = await call(node.url, 'PUT', `/v1/tenants/${tenantId}/credentials/twilio`, token, {
      accountSid: account.sid,
      authToken: account.authToken,
    });
    expect(put.status, put.text).toBe(200);
    const selector = STEP_WRITES[step as keyof typeof STEP_WRITES];
    const barrier = sb.context.barriers.add({ ...selector, parties: 0, timeoutMs: 30_000 });
    const dying = call(node.url, 'PUT', `/v1/tenants/${tenantId}/trunk`, token, {}).catch(
      () => undefined,
    );
    await sb.context.barriers.waitForArrivals(barrier.id, 1);
    await node.kill();
    await dying;
    const appliedBefore = sb.context.counters.size;
    sb.context.barriers.release(barrier.id);
    // The held write is applied now, with nobody left to read its answer.
    await new Promise((r) => setTimeout(r, 200));
    expect(sb.context.counters.size).toBeGreaterThanOrEqual(appliedBefore);
    node = await spawnServer(env);
    const again = await call(node.url, 'PUT', `/v1/tenants/${tenantId}/trunk`, token, {});
    expect(again.status, again.text).toBe(200);
    await expectConverged(
      sb,
      account.sid,
      again.json as TrunkViewJson,
      await heldPassword(tenantId),
    );
  });

  it.each([
    ['the purchase', { method: 'POST', path: '/IncomingPhoneNumbers\\.json$' }],
    ['the Retell import', { method: 'POST', path: '/retell/import-phone-number$' }],
  ])('killed at %s, the retry with the key buys one number', async (_w, selector) => {
    if (node === undefined) throw new Error('no node');
    const { tenantId, token } = await tenantWithToken(node.url, rootToken, [
      'trunks:manage',
      'credentials:write',
      'phones:write',
    ]);
    const account = await newTwilioAccount(sb);
    await call(node.url, 'PUT', `/v1/tenants/${tenantId}/credentials/twilio`, token, {
      accountSid: account.sid,
      authToken: account.authToken,
    });
    const ws = await sb.admin('POST', 'retell/accounts', {});
    await call(node.url, 'PUT', `/v1/tenants/${tenantId}/credentials/retell`, token, {
      apiKey: (ws.body as { apiKey: string }).apiKey,
    });
    expect((await call(node.url, 'PUT', `/v1/tenants/${tenantId}/trunk`, token, {})).status).toBe(
      200,
    );
    const buy = (url: string) =>
      fetch(`${url}/v1/tenants/${tenantId}/phones/purchase`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          'idempotency-key': 'crash-buy',
        },
        body: JSON.stringify({ areaCode: '415' }),
      });
    const barrier = sb.context.barriers.add({ ...selector, parties: 0, timeoutMs: 30_000 });
    const dying = buy(node.url).catch(() => undefined);
    await sb.context.barriers.waitForArrivals(barrier.id, 1);
    await node.kill();
    await dying;
    sb.context.barriers.release(barrier.id);
    await new Promise((r) => setTimeout(r, 200));
    node = await spawnServer(env);
    // The dead holder's lease on the key expires, then the retry resumes from its saved number.
    let r = await buy(node.url);
    for (let i = 0; r.status === 409 && i < 40; i++) {
      await new Promise((res) => setTimeout(res, 500));
      r = await buy(node.url);
    }
    const text = await r.text();
    expect(r.status, text).toBe(201);
    const phone = JSON.parse(text) as { number: string };
    const tw = await twilioOf(sb, account.sid);
    expect(tw.numbers.map((n) => n.phoneNumber)).toEqual([phone.number]);
    const check = await sb.admin('POST', 'retell/outbound-check', { phoneNumber: phone.number });
    expect(check.body).toEqual({ ok: true });
  });
});
