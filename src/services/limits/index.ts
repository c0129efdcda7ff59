// Rate limits on the deployment's store (memory, PostgreSQL or Redis): the limit on failed
// authentications (fails open) and the limits on outbound calls and messages (fail closed).
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
export {
  createOutboundLimits,
  type OutboundChargeInput,
  type OutboundLimits,
  type OutboundLimitsDeps,
} from './outbound-limits.js';
export type { FailClosedLimiter, LimitCount } from './fail-closed-limiter.js';
export {
  applyLimitsPatch,
  DEFAULT_KIND_POLICY,
  limitsPatch,
  limitsView,
  resolveLimitsPolicy,
  type KindPolicy,
  type LimitsPatch,
  type LimitsPolicy,
  type LimitWindow,
  type OutboundKind,
} from './limits-policy.js';
export {
  RATELIMIT_HEADER,
  RATELIMIT_POLICY_HEADER,
  type RateLimitHeaders,
} from './ratelimit-headers.js';
export {
  createWebhookFailureBudget,
  WEBHOOK_FAILURE_BUDGET,
  type WebhookFailureBudget,
  type WebhookFailureBudgetDeps,
} from './webhook-failure-budget.js';
export { REJECTION_FLUSH_MS } from './rejection-counter.js';
export { clientAddressKey } from './client-address.js';
export { RateLimitError } from './rate-limit-error.js';
