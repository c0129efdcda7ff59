// Builds rate limiters (rate-limiter-flexible) on the deployment's store: Redis when
// TELVAULT_REDIS_URL is set (one count across every node), else the PostgreSQL database when that is
// the store (table `rate_limits`, created by the library), else memory (one node on SQLite). Each
// store-backed limiter is insured by a memory limiter: while its store is down, each node counts
// on its own, so a limit fails open to a per-node limit rather than failing the request.
import type pg from 'pg';
import {
  RateLimiterMemory,
  RateLimiterPostgres,
  RateLimiterRedis,
  RateLimiterRes,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';
import type { Logger } from '../common/index.js';
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
  close(): Promise<void>;
}

export interface LimiterFactoryInput {
  redisUrl?: string | undefined;
  /** The database's pool, when the database is PostgreSQL. */
  postgresPool?: pg.Pool | undefined;
  logger: Logger;
}

/** The one table every PostgreSQL-backed limit shares (keys carry the limit's name). */
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

  async function build(spec: LimitSpec): Promise<RateLimiterAbstract> {
    if (store === 'redis' && input.redisUrl !== undefined) {
      redis ??= openLimitsRedis(input.redisUrl, logger);
      const { client } = await redis;
      return new RateLimiterRedis({
        ...insured(spec),
        storeClient: client,
        rejectIfRedisNotReady: true,
      });
    }
    if (store === 'postgres' && input.postgresPool !== undefined) {
      const pool = input.postgresPool;
      let limiter!: RateLimiterPostgres;
      await new Promise<void>((resolve) => {
        limiter = new RateLimiterPostgres(
          { ...insured(spec), storeClient: pool, storeType: 'pool', tableName: RATE_LIMIT_TABLE },
          (err?: Error) => {
            // Until its table exists the limiter answers from its memory insurance.
            if (err !== undefined) {
              logger.warn(
                { reason: err.message },
                `limits: no ${RATE_LIMIT_TABLE} table, counting in memory`,
              );
            }
            resolve();
          },
        );
      });
      return limiter;
    }
    return new RateLimiterMemory(base(spec));
  }

  return {
    store,
    async create(spec) {
      return wrap(await build(spec), spec, logger);
    },
    async close() {
      if (redis !== undefined) (await redis).close();
    },
  };
}
