// Every setup step's provider write, failed three ways: a 5xx, a timeout (the sandbox applies the
// write after the client gave up), and "apply then drop the connection". Each time the first run
// fails at that step (or survives it), and the re-run converges: no duplicate at the sandbox, and
// no credential of telvault's whose password telvault does not hold.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSandbox, type TestSandbox } from '../support/sandbox.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { expectConverged, heldPassword, STEP_WRITES, trunkTenant, viewOf } from './support.js';

const FAULTS = {
  '5xx': { kind: 'error', status: 503 },
  timeout: { kind: 'latency', ms: 1_500 },
  'apply-then-drop': { kind: 'drop-after-commit' },
} as const;

const CASES = Object.keys(STEP_WRITES).flatMap((step) =>
  Object.keys(FAULTS).map((fault) => [step, fault] as const),
);

describe('a fault at every step of the setup', () => {
  let sb: TestSandbox;
  let s: TestServer;

  beforeAll(async () => {
    sb = await startTestSandbox();
    // Lease 3 s: provider calls time out after 1 s (a third of the lease).
    s = await startTestServer('sqlite', {
      config: {
        providers: 'sandbox',
        sandboxUrl: sb.url,
        trunks: { leaseSeconds: 3, waitSeconds: 10, originationUri: 'sip:sip.retellai.com' },
      },
    });
  });
  afterAll(async () => {
    await s?.close();
    await sb?.close();
  });

  it.each(CASES)('%s: %s, then the re-run converges', async (step, fault) => {
    const { tenantId, token, account } = await trunkTenant(s, sb, `${step}-${fault}`);
    const selector = STEP_WRITES[step as keyof typeof STEP_WRITES];
    sb.context.faults.add({ ...selector, action: FAULTS[fault as keyof typeof FAULTS] });
    const first = await s.request('PUT', `/v1/tenants/${tenantId}/trunk`, { token, body: {} });
    expect(first.status, first.text).toBeGreaterThanOrEqual(500);
    const failed = viewOf(await s.request('GET', `/v1/tenants/${tenantId}/trunk`, { token }));
    expect(failed.state).toBe('failed');
    expect(failed.failedStep).toBe(step);
    // A timed-out write lands at the sandbox after the client gave up.
    if (fault === 'timeout') await new Promise((r) => setTimeout(r, 800));
    const again = await s.request('PUT', `/v1/tenants/${tenantId}/trunk`, { token, body: {} });
    expect(again.status, again.text).toBe(200);
    const password = (await heldPassword(s, tenantId)).reveal();
    await expectConverged(sb, account.sid, viewOf(again), password);
  });
});
