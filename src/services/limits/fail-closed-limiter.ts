// A limit that must hold: outbound calls and messages cost money and can harass, so when the store
// does not answer the event is refused (ERR_RATE_LIMIT_UNAVAILABLE), never counted on one node
// only. No memory insurance and no in-memory block: a refund must be seen by the next check.
import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { TelvaultError } from '../../errors.js';
import type { LimitSpec } from './limiter-factory.js';

export interface LimitCount {
  limited: boolean;
  /** Events left in the window after this one (0 when limited). */
  remaining: number;
  /** Whole seconds, at least 1, until the window ends. */
  resetSeconds: number;
}

export interface FailClosedLimiter {
  readonly spec: LimitSpec;
  /**
   * Counts one event for `key` (already a rate-limit key, never a raw value). Rejects with
   * ERR_RATE_LIMIT_UNAVAILABLE when the store does not answer.
   */
  consume(key: string): Promise<LimitCount>;
  /** Gives back one event `consume` counted; rejects like `consume` when the store is down. */
  refund(key: string): Promise<void>;
}

const seconds = (ms: number): number => Math.max(1, Math.ceil(ms / 1000));

export function unavailable(spec: LimitSpec, cause: unknown): TelvaultError {
  return new TelvaultError(
    'ERR_RATE_LIMIT_UNAVAILABLE',
    `the ${spec.name} limit cannot be checked right now (its store does not answer): try again later`,
    { cause },
  );
}

export function failClosed(limiter: RateLimiterAbstract, spec: LimitSpec): FailClosedLimiter {
  return {
    spec,
    async consume(key) {
      try {
        const res = await limiter.consume(key);
        return {
          limited: false,
          remaining: res.remainingPoints,
          resetSeconds: seconds(res.msBeforeNext),
        };
      } catch (err) {
        if (err instanceof RateLimiterRes) {
          return { limited: true, remaining: 0, resetSeconds: seconds(err.msBeforeNext) };
        }
        throw unavailable(spec, err);
      }
    },
    async refund(key) {
      try {
        await limiter.reward(key);
      } catch (err) {
        throw unavailable(spec, err);
      }
    },
  };
}
