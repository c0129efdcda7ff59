// Builds rate limiters (rate-limiter-flexible) on the deployment's store: Redis when
// TELVAULT_REDIS_URL is set (one count across every node), else the PostgreSQL database when that is
// the store (table `rate_limits`, UNLOGGED, created by migration 009), else memory (one node on
// SQLite). Two kinds: `create` insures a store-backed limiter with a memory limiter (while its store
// is down each node counts on its own: the limit fails open to a per-node limit, right for failed
// authentications); `createFailClosed` has no insurance and refuses when the store does not answer
// (outbound calls and messages).
import type pg from 'pg';
import {
  RateLimiterMemory,
  RateLimiterPostgres,
  RateLimiterRedis,
  RateLimiterRes,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';
import type { Logger } from '../common/index.js';
import { failClosed, type FailClosedLimiter } from './fail-closed-limiter.js';
import { openLimitsRedis, type LimitsRedis } from './redis-client.js';

export type LimiterStore = 'redis' | 'postgres' | 'memory';

export interface LimitSpec {
  /** Names the limit in the store (`telvault:<name>:<key>`): one name per use. */
  name: string;
  /** Events allowed per key and window. */
  points: number;
  windowSeconds: number;
}

export type LimitDecision = { limited: false } | { limited: true; retryAfterSeconds: number };

export interface Limiter {
  /**
   * Counts one event for `key`, which must already be a rate-limit key (`keys.rateLimitKey`),
   * never a raw address or number. Never rejects: when no store answers, the event is allowed.
   */
  hit(key: string): Promise<LimitDecision>;
}

export interface LimiterFactory {
  readonly store: LimiterStore;
  create(spec: LimitSpec): Promise<Limiter>;
  /** A limiter without memory insurance: store errors reject with ERR_RATE_LIMIT_UNAVAILABLE. */
  createFailClosed(spec: LimitSpec): Promise<FailClosedLimiter>;
  close(): Promise<void>;
}

export interface LimiterFactoryInput {
  redisUrl?: string | undefined;
  /** The database's pool, when the database is PostgreSQL. */
  postgresPool?: pg.Pool | undefined;
  logger: Logger;
}

/**
 * The one table every PostgreSQL-backed limit shares (keys carry the limit's name), in the shape
 * RateLimiterPostgres expects; migration 009 creates it UNLOGGED. Do not change.
 */
export const RATE_LIMIT_TABLE = 'rate_limits';

function wrap(limiter: RateLimiterAbstract, spec: LimitSpec, logger: Logger): Limiter {
  return {
    async hit(key) {
      try {
        await limiter.consume(key);
        return { limited: false };
      } catch (err) {
        if (err instanceof RateLimiterRes) {
          return {
            limited: true,
            retryAfterSeconds: Math.max(1, Math.ceil(err.msBeforeNext / 1000)),
          };
        }
        // The store and its memory insurance both failed: this limit only slows clients down.
        logger.warn({ limit: spec.name, reason: String(err) }, 'limits: check failed, allowing');
        return { limited: false };
      }
    },
  };
}

export function createLimiterFactory(input: LimiterFactoryInput): LimiterFactory {
  const { logger } = input;
  const store: LimiterStore =
    input.redisUrl !== undefined
      ? 'redis'
      : input.postgresPool !== undefined
        ? 'postgres'
        : 'memory';
  let redis: Promise<LimitsRedis> | undefined;

  const base = (spec: LimitSpec) => ({
    keyPrefix: `telvault:${spec.name}`,
    points: spec.points,
    duration: spec.windowSeconds,
  });
  // Once a key is over its limit this node refuses it from memory until the window ends, so a
  // client that keeps going costs the store nothing more.
  const insured = (spec: LimitSpec) => ({
    ...base(spec),
    insuranceLimiter: new RateLimiterMemory(base(spec)),
    inMemoryBlockOnConsumed: spec.points + 1,
  });

  async function build(spec: LimitSpec, insure: boolean): Promise<RateLimiterAbstract> {
    const options = insure ? insured(spec) : base(spec);
    if (store === 'redis' && input.redisUrl !== undefined) {
      redis ??= openLimitsRedis(input.redisUrl, logger);
      const { client } = await redis;
      return new RateLimiterRedis({ ...options, storeClient: client, rejectIfRedisNotReady: true });
    }
    if (store === 'postgres' && input.postgresPool !== undefined) {
      // The table is the migration's (UNLOGGED): the library must not create a logged one.
      return new RateLimiterPostgres({
        ...options,
        storeClient: input.postgresPool,
        storeType: 'pool',
        tableName: RATE_LIMIT_TABLE,
        tableCreated: true,
      });
    }
    return new RateLimiterMemory(base(spec));
  }

  return {
    store,
    async create(spec) {
      return wrap(await build(spec, true), spec, logger);
    },
    async createFailClosed(spec) {
      return failClosed(await build(spec, false), spec);
    },
    async close() {
      if (redis !== undefined) (await redis).close();
    },
  };
}
