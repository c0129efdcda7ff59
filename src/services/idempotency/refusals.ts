// The refusals of Idempotency-Key requests; the two that carry more than a message are classes.
import { TelvaultError } from '../../errors.js';
import { RateLimitError } from '../limits/index.js';
import './errors.js';

/** A RateLimitError, so the HTTP error handler sends its Retry-After. */
export class IdempotencyInProgressError extends RateLimitError {
  constructor(message: string, retryAfterSeconds: number) {
    super('ERR_IDEMPOTENCY_IN_PROGRESS', message, retryAfterSeconds);
    this.name = 'IdempotencyInProgressError';
  }
}

export class IdempotencyOutcomeUnknownError extends TelvaultError {
  /** The record the request attached before calling the provider (a call, message, email id). */
  readonly recordId: string | null;

  constructor(recordId: string | null) {
    super(
      'ERR_IDEMPOTENCY_OUTCOME_UNKNOWN',
      recordId === null
        ? 'Idempotency-Key: the first request with this key reached the provider and its outcome was not recorded: it is not sent again'
        : `Idempotency-Key: the first request with this key reached the provider and its outcome was not recorded: it is not sent again; its record is ${recordId}`,
    );
    this.name = 'IdempotencyOutcomeUnknownError';
    this.recordId = recordId;
  }
}

export const keyReused = (): TelvaultError =>
  new TelvaultError(
    'ERR_IDEMPOTENCY_KEY_REUSED',
    'Idempotency-Key: already used with another request (method, route or body): use a new key',
  );

export const inProgress = (retryAfterSeconds: number): IdempotencyInProgressError =>
  new IdempotencyInProgressError(
    'Idempotency-Key: a request with this key is still in progress: retry later',
    retryAfterSeconds,
  );

/** Told to a holder whose entry was taken over (its lease had expired): another request runs it. */
export const leaseLost = (): IdempotencyInProgressError =>
  new IdempotencyInProgressError(
    'Idempotency-Key: another request with this key took over: retry later',
    1,
  );
