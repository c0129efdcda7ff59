// The signing keys under a flood of forged callbacks, on a clock the test moves: the key is opened
// for each check until the failure budget (a real memory limiter) is spent, then held and opened
// once per KEY_CACHE_MS, a changed key is used once the held one is due, the hold ends FLOOD_MS
// after the last failure, and a budget that cannot be counted never switches (fails open).
import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Secret, type TenantId } from '../../src/crypto/index.js';
import { createLogger } from '../../src/services/common/index.js';
import {
  createLimiterFactory,
  createWebhookFailureBudget,
} from '../../src/services/limits/index.js';
import {
  createSigningKeys,
  FLOOD_MS,
  KEY_CACHE_MS,
  type SigningProvider,
} from '../../src/services/webhooks/signing-keys.js';

const BUDGET = 3;
const T1 = 'tenant-1' as TenantId;
const T2 = 'tenant-2' as TenantId;

function setup(rateLimitKey?: (v: string) => Promise<string>) {
  const logger = createLogger({ level: 'silent' });
  const systemKey = randomBytes(32);
  const budget = createWebhookFailureBudget({
    limiters: createLimiterFactory({ logger }),
    keys: {
      rateLimitKey:
        rateLimitKey ??
        ((v) => Promise.resolve(createHmac('sha256', systemKey).update(v).digest('hex'))),
    },
    logger,
    spec: { name: 'webhook-failures-test', points: BUDGET, windowSeconds: 60 },
  });
  let clock = 1_000_000;
  let current = 'key-1';
  const opened: string[] = [];
  const keys = createSigningKeys({
    budget,
    now: () => clock,
    open: (tenantId: TenantId, provider: SigningProvider) => {
      opened.push(`${provider}:${tenantId}`);
      return Promise.resolve(new Secret(current));
    },
  });
  return {
    keys,
    opened,
    advance: (ms: number) => (clock += ms),
    rotate: (v: string) => (current = v),
  };
}

/** A forged check: the key is asked for, the check fails. */
async function forge(k: ReturnType<typeof setup>, tenantId = T1): Promise<void> {
  await k.keys.keyOf(tenantId, 'twilio');
  await k.keys.failed(tenantId, 'twilio');
}

describe('signing keys under a flood of forged callbacks', () => {
  it('opens per check within the budget, then holds the key and opens it once per KEY_CACHE_MS', async () => {
    const k = setup();
    for (let i = 0; i < BUDGET; i++) await forge(k);
    expect(k.keys.flooded(T1, 'twilio')).toBe(false);
    expect(k.opened).toHaveLength(BUDGET);
    await forge(k); // over the budget: switched
    expect(k.keys.flooded(T1, 'twilio')).toBe(true);
    for (let i = 0; i < 500; i++) await forge(k);
    expect(k.opened).toHaveLength(BUDGET + 2); // the one over budget, then one held
    // Another tenant, and another provider of the same tenant, are not switched.
    expect(k.keys.flooded(T2, 'twilio')).toBe(false);
    expect(k.keys.flooded(T1, 'retell')).toBe(false);
    k.advance(KEY_CACHE_MS);
    for (let i = 0; i < 100; i++) await forge(k);
    expect(k.opened).toHaveLength(BUDGET + 3);
    k.keys.close();
  });

  it('a key changed during a flood is used once the held one is due', async () => {
    const k = setup();
    for (let i = 0; i <= BUDGET; i++) await forge(k);
    expect((await k.keys.keyOf(T1, 'twilio'))?.reveal()).toBe('key-1');
    k.rotate('key-2');
    k.advance(KEY_CACHE_MS - 1);
    expect((await k.keys.keyOf(T1, 'twilio'))?.reveal()).toBe('key-1');
    k.advance(1);
    expect((await k.keys.keyOf(T1, 'twilio'))?.reveal()).toBe('key-2');
    k.keys.close();
  });

  it('the hold lasts FLOOD_MS past the last failure, then every check opens the key again', async () => {
    const k = setup();
    for (let i = 0; i <= BUDGET; i++) await forge(k);
    k.advance(FLOOD_MS - 1);
    await forge(k); // still flooded: the hold is extended
    k.advance(FLOOD_MS - 1);
    expect(k.keys.flooded(T1, 'twilio')).toBe(true);
    k.advance(1);
    expect(k.keys.flooded(T1, 'twilio')).toBe(false);
    const before = k.opened.length;
    await k.keys.keyOf(T1, 'twilio');
    await k.keys.keyOf(T1, 'twilio');
    expect(k.opened.length - before).toBe(2);
    k.keys.close();
  });

  it('a budget that cannot be counted never switches: the key is opened per check', async () => {
    const k = setup(() => Promise.reject(new Error('no system key')));
    for (let i = 0; i < 50; i++) await forge(k);
    expect(k.keys.flooded(T1, 'twilio')).toBe(false);
    expect(k.opened).toHaveLength(50);
    k.keys.close();
  });
});
