// Each fault the sandbox injects (an error status, latency, a drop before or after commit, a
// barrier) surfaces in the Twilio client as the right ProviderError.
import { describe, expect, it } from 'vitest';
import { createTwilioClient } from '../../../src/providers/twilio/index.js';
import { twilioAccounts } from '../../support/sandbox.js';
import { useTwilioTestClient } from '../support.js';

const TRUNKS = '/twilio-trunking/v1/Trunks';

describe('Twilio client under injected faults', () => {
  const t = useTwilioTestClient();

  const injected: [string, { status: number; code: number }, Record<string, unknown>][] = [
    [
      'a 500',
      { status: 500, code: 20500 },
      { code: 'ERR_PROVIDER_UNAVAILABLE', status: 500, retryable: true },
    ],
    [
      'a 503',
      { status: 503, code: 20503 },
      { code: 'ERR_PROVIDER_UNAVAILABLE', status: 503, retryable: true },
    ],
    [
      'a 429',
      { status: 429, code: 20429 },
      { code: 'ERR_PROVIDER_RATE_LIMITED', status: 429, providerCode: 20429, retryable: true },
    ],
    [
      'a 403',
      { status: 403, code: 20403 },
      { code: 'ERR_PROVIDER_FORBIDDEN', status: 403, retryable: false },
    ],
    [
      'a 401',
      { status: 401, code: 20003 },
      { code: 'ERR_PROVIDER_CREDENTIALS_INVALID', status: 401, retryable: false },
    ],
    [
      'a 404',
      { status: 404, code: 20404 },
      { code: 'ERR_PROVIDER_NOT_FOUND', status: 404, retryable: false },
    ],
    [
      'a 400',
      { status: 400, code: 21999 },
      { code: 'ERR_PROVIDER_REJECTED', status: 400, providerCode: 21999, retryable: false },
    ],
  ];
  it.each(injected)(
    'surfaces an injected %s as the right ProviderError',
    async (_name, fault, expected) => {
      await t.sb.admin('POST', 'faults', {
        route: TRUNKS,
        method: 'POST',
        action: { kind: 'error', ...fault },
      });
      await expect(
        t.client.run('trunks.create', (s) => s.trunking.v1.trunks.create({ friendlyName: 'f' })),
      ).rejects.toMatchObject({
        name: 'ProviderError',
        provider: 'twilio',
        operation: 'trunks.create',
        ...expected,
      });
    },
  );

  it('surfaces latency beyond the timeout as a retryable ERR_PROVIDER_UNAVAILABLE without status', async () => {
    const { main } = twilioAccounts(t.sb.seed);
    const impatient = createTwilioClient(
      { accountSid: main.sid, authToken: main.authToken },
      { mode: 'sandbox', sandboxUrl: t.sb.url, timeoutMs: 100 },
    );
    await t.sb.admin('POST', 'faults', { route: TRUNKS, action: { kind: 'latency', ms: 400 } });
    await expect(
      impatient.run('trunks.list', (s) => s.trunking.v1.trunks.list()),
    ).rejects.toMatchObject({
      code: 'ERR_PROVIDER_UNAVAILABLE',
      status: undefined,
      retryable: true,
    });
  });

  it('surfaces a dropped connection as ERR_PROVIDER_UNAVAILABLE, applied or not', async () => {
    await t.sb.admin('POST', 'faults', { route: TRUNKS, method: 'POST', action: { kind: 'drop' } });
    const unavailable = { code: 'ERR_PROVIDER_UNAVAILABLE', status: undefined, retryable: true };
    await expect(
      t.client.run('trunks.create', (s) => s.trunking.v1.trunks.create({ friendlyName: 'lost' })),
    ).rejects.toMatchObject(unavailable);
    expect(t.sb.context.twilio.state.trunks.size).toBe(0);

    await t.sb.admin('DELETE', 'faults');
    await t.sb.admin('POST', 'faults', {
      route: TRUNKS,
      method: 'POST',
      action: { kind: 'drop-after-commit' },
    });
    await expect(
      t.client.run('trunks.create', (s) =>
        s.trunking.v1.trunks.create({ friendlyName: 'applied' }),
      ),
    ).rejects.toMatchObject(unavailable);
    // The change was committed: a re-list finds it (what provisioning must reconcile with).
    const trunks = await t.client.run('trunks.list', (s) => s.trunking.v1.trunks.list());
    expect(trunks.map((t) => t.friendlyName)).toEqual(['applied']);
  });

  it('surfaces a request held at a barrier past the timeout as ERR_PROVIDER_UNAVAILABLE', async () => {
    const { main } = twilioAccounts(t.sb.seed);
    const impatient = createTwilioClient(
      { accountSid: main.sid, authToken: main.authToken },
      { mode: 'sandbox', sandboxUrl: t.sb.url, timeoutMs: 150 },
    );
    const { body } = await t.sb.admin('POST', 'barriers', { route: TRUNKS, parties: 0 });
    await expect(
      impatient.run('trunks.list', (s) => s.trunking.v1.trunks.list()),
    ).rejects.toMatchObject({
      code: 'ERR_PROVIDER_UNAVAILABLE',
      retryable: true,
    });
    await t.sb.admin('POST', `barriers/${(body as { id: string }).id}/release`);
  });

  it('lets a barrier force two concurrent creates of one domain: one wins, one gets 21248', async () => {
    const { body } = await t.sb.admin('POST', 'barriers', {
      route: TRUNKS,
      method: 'POST',
      parties: 2,
    });
    expect((body as { parties: number }).parties).toBe(2);
    const create = () =>
      t.client.run('trunks.create', (s) =>
        s.trunking.v1.trunks.create({ domainName: 'race.pstn.twilio.com' }),
      );
    const results = await Promise.allSettled([create(), create()]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const failure = results.find((r) => r.status === 'rejected');
    expect(failure?.reason).toMatchObject({
      code: 'ERR_PROVIDER_REJECTED',
      status: 400,
      providerCode: 21248,
    });
  });
});
