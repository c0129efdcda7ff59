// The Redis connection the limits share (TELVAULT_REDIS_URL). Commands fail at once while it is
// down (no offline queue) and time out quickly when it hangs, so a limit answers at once instead of
// holding a request (an insured limit from memory, a fail-closed one with a refusal); ioredis keeps
// reconnecting in the background.
import { Redis } from 'ioredis';
import type { Logger } from '../common/index.js';

/** A limit check is on the request path: past this, the fallback (or the refusal) answers. */
const COMMAND_TIMEOUT_MS = 500;
const CONNECT_TIMEOUT_MS = 2_000;

export interface LimitsRedis {
  client: Redis;
  close(): void;
}

/** Connects (waiting at most CONNECT_TIMEOUT_MS): an unreachable Redis is logged, never fatal. */
export async function openLimitsRedis(url: string, logger: Logger): Promise<LimitsRedis> {
  const client = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: COMMAND_TIMEOUT_MS,
    connectTimeout: CONNECT_TIMEOUT_MS,
  });
  // One line per outage, not one per reconnection attempt. Never the URL: it may hold a password.
  let down = false;
  client.on('error', (err: Error) => {
    if (down) return;
    down = true;
    logger.warn(
      { reason: err.message.replace(/\/\/[^@/]*@/, '//') },
      'limits: Redis unreachable: failed authentications counted in memory on this node, outbound calls and messages refused, until it is back',
    );
  });
  client.on('ready', () => {
    if (down) logger.info('limits: Redis reachable again');
    down = false;
  });
  await client.connect().catch(() => undefined);
  return { client, close: () => client.disconnect() };
}
