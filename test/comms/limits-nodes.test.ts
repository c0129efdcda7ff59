// The outbound limits across two `serve` processes on one PostgreSQL: counted in PostgreSQL's
// limiter table, or in Redis (this test's own redis-server) when TELVAULT_REDIS_URL is set. Over
// the limit nothing reaches the provider; with Redis down calls fail closed while the nodes stay
// healthy; neither store holds the destination's digits.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxNodeEnv, spawnServer, type ChildServer } from '../support/child-server.js';
import { freePort, hasRedisServer, onCi, OwnRedis } from '../support/own-redis.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { startTestSandbox, type TestSandbox } from '../support/sandbox.js';
import { commsTenant, sent, serverAt, type CommsTenant } from './support.js';

const CALLS = /^POST \/twilio-api\/2010-04-01\/Accounts\/:AccountSid\/Calls\.json$/;
if (!hasRedisServer && !onCi)
  console.warn('SKIPPING the Redis part: no redis-server binary on PATH');

describe.each([
  ['PostgreSQL', false],
  ['Redis', true],
] as const)('outbound limits across two nodes, counted in %s', (_store, withRedis) => {
  const skip = withRedis && !hasRedisServer && !onCi;
  let sb: TestSandbox;
  let db: TestDatabase;
  let redis: OwnRedis | undefined;
  const nodes: ChildServer[] = [];
  const rootToken = `tvr_${randomBytes(32).toString('base64url')}`;
  let t: CommsTenant;

  beforeAll(async () => {
    if (skip) return;
    sb = await startTestSandbox();
    db = await createTestDatabase('limits');
    if (withRedis) {
      redis = new OwnRedis(await freePort());
      await redis.start();
    }
    const env = sandboxNodeEnv('tv-limits', sb.url, rootToken, {
      TELVAULT_DATABASE_URL: db.url,
      ...(redis === undefined ? {} : { TELVAULT_REDIS_URL: redis.url }),
    });
    nodes.push(await spawnServer(env));
    nodes.push(await spawnServer(env));
    t = await commsTenant(serverAt(nodes[0]?.url ?? '', rootToken), sb);
  });
  afterAll(async () => {
    for (const n of nodes) await n.stop();
    await redis?.stop();
    await sb?.close();
    await db?.drop();
  });

  const place = (i: number, to: string) =>
    serverAt(nodes[i % 2]?.url ?? '', rootToken).request(
      'POST',
      `/v1/tenants/${t.tenantId}/calls`,
      {
        token: t.token,
        body: { fromPhoneId: t.phones.twilio, to, twiml: '<Response/>' },
      },
    );

  it.skipIf(skip)(
    '3 calls to one number in 10 minutes, whichever node takes them; the 4th sends nothing',
    async () => {
      const to = '+14155550180';
      for (let i = 0; i < 3; i++) expect((await place(i, to)).status).toBe(201);
      const over = await place(3, to);
      expect(over.status, over.text).toBe(429);
      expect(over.headers.get('retry-after')).not.toBeNull();
      expect(over.headers.get('ratelimit')).toContain('destination');
      expect(await sent(sb, CALLS)).toBe(3);
      // Another number is counted apart.
      expect((await place(4, '+14155550181')).status).toBe(201);
    },
  );

  it.skipIf(skip)('the limit store holds keyed hashes only, never the number', async () => {
    const digits = ['4155550180', '4155550181'];
    if (redis !== undefined) {
      const client = new Redis(redis.url);
      const keys = await client.keys('*');
      await client.quit();
      expect(keys.length).toBeGreaterThan(0);
      for (const d of digits) expect(keys.join('\n')).not.toContain(d);
    } else {
      const c = new pg.Client({ connectionString: db.url });
      await c.connect();
      const rows = await c.query<{ key: string }>('select key from rate_limits');
      await c.end();
      expect(rows.rows.length).toBeGreaterThan(0);
      for (const d of digits) expect(JSON.stringify(rows.rows)).not.toContain(d);
    }
  });

  // Only where there is a Redis to stop.
  if (withRedis) {
    it.skipIf(skip)('with Redis down calls fail closed and the nodes stay healthy', async () => {
      await redis?.stop();
      const before = await sent(sb, CALLS);
      const r = await place(0, '+14155550182');
      expect(r.status, r.text).toBe(503);
      expect((r.json as { error: { code: string } }).error.code).toBe('ERR_RATE_LIMIT_UNAVAILABLE');
      expect(await sent(sb, CALLS)).toBe(before);
      for (const n of nodes) {
        expect((await fetch(`${n.url}/healthz`)).status).toBe(200);
        expect((await fetch(`${n.url}/readyz`)).status).toBe(200);
      }
      await redis?.start();
      let back = await place(1, '+14155550182');
      for (let i = 0; back.status === 503 && i < 20; i++) {
        await new Promise((res) => setTimeout(res, 250));
        back = await place(1, '+14155550182');
      }
      expect(back.status, back.text).toBe(201);
    });
  }
});
