// Rate limits on the deployment's store (memory, PostgreSQL or Redis), and the limit on failed
// authentications built on them.
export {
  createLimiterFactory,
  RATE_LIMIT_TABLE,
  type LimitDecision,
  type Limiter,
  type LimiterFactory,
  type LimiterFactoryInput,
  type LimiterStore,
  type LimitSpec,
} from './limiter-factory.js';
export {
  createAuthFailureLimiter,
  type AuthFailureLimiter,
  type AuthFailureLimiterDeps,
} from './auth-failure-limiter.js';
export { clientAddressKey } from './client-address.js';
export { RateLimitError } from './rate-limit-error.js';
