// Idempotency-Key requests: one run per key and request, its outcome replayed, leased holders with
// takeover (non-resumable and resumable), and the helper a route calls.
export { IdempotencyInProgressError, IdempotencyOutcomeUnknownError } from './refusals.js';
export { createIdempotencyService, type IdempotencyService } from './idempotency-service.js';
export {
  isStorableStatus,
  type BeginInput,
  type BeginResult,
  type IdempotencyEntry,
  type IdempotencyMode,
  type IdempotencyOptions,
  type IdempotencyServiceDeps,
  type IdempotentOutcome,
} from './idempotency-types.js';
export {
  assertIdempotencyKey,
  canonicalJson,
  IDEMPOTENCY_KEY_HEADER,
  idempotencyKeyOf,
} from './request-mac.js';
export {
  runIdempotent,
  type IdempotentAnswer,
  type IdempotentRun,
  type RunIdempotentOptions,
} from './run-idempotent.js';
