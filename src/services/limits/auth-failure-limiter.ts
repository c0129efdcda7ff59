// Failed authentications (no token, or one that is invalid, expired or revoked) counted per client
// address, keyed by an HMAC of the address under the system key (never the address itself, never
// the token). Only failures are counted and only failures are refused: a valid token is never
// checked against this limit, because platforms send every tenant's traffic from a few egress
// addresses, and one tenant's broken client must not lock out the others.
import type { Logger } from '../common/index.js';
import type { KeyService } from '../keys/index.js';
import { clientAddressKey } from './client-address.js';
import type { LimiterFactory } from './limiter-factory.js';

export interface AuthFailureLimiter {
  /**
   * Counts one failed authentication from `address`. Resolves to the seconds the address must wait
   * when it is over its limit, else undefined (also when the limit cannot be checked: fail open).
   */
  recordFailure(address: string): Promise<number | undefined>;
}

export interface AuthFailureLimiterDeps {
  limiters: LimiterFactory;
  keys: Pick<KeyService, 'rateLimitKey'>;
  /** Failures allowed per address and window. */
  limit: number;
  windowSeconds: number;
  logger: Logger;
}

export async function createAuthFailureLimiter(
  deps: AuthFailureLimiterDeps,
): Promise<AuthFailureLimiter> {
  const limiter = await deps.limiters.create({
    name: 'auth-failures',
    points: deps.limit,
    windowSeconds: deps.windowSeconds,
  });
  return {
    async recordFailure(address) {
      let key: string;
      try {
        key = await deps.keys.rateLimitKey(`client:${clientAddressKey(address)}`);
      } catch (err) {
        deps.logger.warn({ reason: String(err) }, 'limits: no rate-limit key, allowing');
        return undefined;
      }
      const decision = await limiter.hit(key);
      return decision.limited ? decision.retryAfterSeconds : undefined;
    },
  };
}
