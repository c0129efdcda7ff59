// With the limits' Redis down, outbound calls and messages fail closed (ERR_RATE_LIMIT_UNAVAILABLE)
// while the failed-authentication limit keeps answering from memory (fails open), and both recover
// when Redis is back. The Redis is this test's own redis-server on a private free port (never the
// machine's 6379), without persistence, stopped and restarted by the test and killed at the end.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TenantId } from '../../src/crypto/index.js';
import { TelvaultError } from '../../src/errors.js';
import { createLogger } from '../../src/services/common/index.js';
import {
  createAuthFailureLimiter,
  type AuthFailureLimiter,
} from '../../src/services/limits/index.js';
import {
  createTenant,
  newDeployment,
  openNode,
  removeDeployment,
  type Deployment,
  type Node,
} from './nodes.js';
import { freePort, hasRedisServer, onCi, OwnRedis, until } from '../support/own-redis.js';

if (!hasRedisServer && !onCi) {
  console.warn('SKIPPING the Redis outage tests: no redis-server binary on PATH');
}
const skip = !hasRedisServer && !onCi;

describe.skipIf(skip)('outbound limits with their Redis down', () => {
  let redis: OwnRedis;
  let d: Deployment;
  let node: Node;
  let t: TenantId;
  let authFailures: AuthFailureLimiter;

  beforeAll(async () => {
    redis = new OwnRedis(await freePort());
    await redis.start();
    d = newDeployment(undefined, redis.url);
    node = await openNode(d);
    t = await createTenant(node, 'outage');
    authFailures = await createAuthFailureLimiter({
      limiters: node.limiters,
      keys: node.services.keys,
      limit: 2,
      windowSeconds: 60,
      logger: createLogger({ level: 'silent' }),
    });
  });
  afterAll(async () => {
    await node?.close();
    await redis?.stop();
    if (d !== undefined) removeDeployment(d);
  });

  const charge = (kind: 'call' | 'message' = 'call') =>
    node.services.outboundLimits.charge({
      tenantId: t,
      kind,
      tokenId: 'tok-outage',
      destination: '+61491570177',
    });

  it('fails closed with ERR_RATE_LIMIT_UNAVAILABLE, while failed authentications fail open', async () => {
    expect(node.limiters.store).toBe('redis');
    expect((await charge())['RateLimit']).toContain('"caller";r=29');
    expect(await authFailures.recordFailure('203.0.113.5')).toBeUndefined();

    await redis.stop();
    for (const kind of ['call', 'message'] as const) {
      const err = await charge(kind).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(TelvaultError);
      expect((err as TelvaultError).code).toBe('ERR_RATE_LIMIT_UNAVAILABLE');
      expect((err as TelvaultError).message).not.toContain('491570');
    }
    // The failed-authentication limit still answers, counting in this node's memory.
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(await authFailures.recordFailure('203.0.113.6'));
    expect(answers.slice(0, 2)).toEqual([undefined, undefined]);
    expect(answers[2]).toBeGreaterThanOrEqual(1);
    expect(node.logLines.join('')).not.toContain('491570');
  });

  it('recovers when Redis is back (its counts start afresh: it kept none)', async () => {
    await redis.start();
    let headers: Record<string, string> | undefined;
    await until(async () => {
      headers = await charge().catch(() => undefined);
      return headers !== undefined;
    }, 'the limit to answer again');
    expect(headers?.['RateLimit']).toContain('"caller";r=29');
    expect(await authFailures.recordFailure('203.0.113.7')).toBeUndefined();
  });
});

describe('the redis-server the outage tests need', () => {
  it.skipIf(!onCi)('is installed on CI', () => {
    expect(hasRedisServer).toBe(true);
  });
});
