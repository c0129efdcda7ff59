// What every provider-reaching POST (a call, an SMS, an email) shares: the Idempotency-Key checked
// first (a replay answers the stored view and sends nothing, charges no limit), then the work,
// which creates its record before the provider call and marks the key sent with the record's id
// just before it, so a retry after a crash is told the outcome is unknown rather than sent twice.
// A provider's definite refusal after that mark (it answered 4xx: it did nothing) is the key's
// outcome, replayed to a retry as the same error.
import type { TenantId } from '../../crypto/index.js';
import { TelvaultError, type ErrorCode } from '../../errors.js';
import type { Actor } from '../audit/actor.js';
import { ProviderError } from '../../providers/provider-error.js';
import type { ActivityKind } from './activity-status.js';
import { viewForRoot } from './activity-views.js';
import {
  runIdempotent,
  type IdempotencyService,
  type IdempotentOutcome,
} from '../idempotency/index.js';

/** The rate-limit headers a charged request answers with (RateLimit-…). */
export type LimitHeaders = Readonly<Record<string, string>>;

/** What the outbound limits (services/limits) charge a call or a message against. */
export interface OutboundCharge {
  tenantId: TenantId;
  kind: 'call' | 'message';
  /** The platform's end user behind the request, when the platform names one. */
  callerIp?: string;
  /** The token that sent it: the limit's key when there is no callerIp. */
  tokenId: string;
  destination: string;
}

export interface OutboundLimiter {
  /** Counts the request; throws ERR_RATE_LIMITED (429) over a limit, ERR_RATE_LIMIT_UNAVAILABLE. */
  charge(input: OutboundCharge): Promise<LimitHeaders>;
}

/** Who sends, as the services need it. */
export interface SendContext {
  actor: Actor;
  /** The Idempotency-Key header, when sent. */
  idempotencyKey: string | undefined;
  /** The tenant's own token sees numbers and content; the root token sees them masked. */
  shown: boolean;
}

export interface Sent<V> {
  view: V;
  headers: LimitHeaders;
  replayed: boolean;
}

export interface SendOnceInput {
  tenantId: TenantId;
  kind: ActivityKind;
  context: SendContext;
  /** The route's template (`/v1/tenants/:tenantId/calls`). */
  route: string;
  /** The request as the fingerprint sees it: values revealed (only its HMAC is stored). */
  fingerprint: unknown;
}

export const tokenIdOf = (actor: Actor): string =>
  actor.kind === 'token' ? actor.tokenId : actor.kind;

/**
 * The stored outcome of an error thrown after the provider call: a refusal the provider answered
 * and did not act on (a non-retryable ProviderError with a status, or a TelvaultError caused by
 * one, such as an unverified email sender), else nothing (the outcome stays unknown).
 */
function refusalOutcome(err: unknown): IdempotentOutcome | undefined {
  if (!(err instanceof TelvaultError)) return undefined;
  let e: unknown = err;
  for (let depth = 0; e instanceof Error && depth < 4; depth++, e = e.cause) {
    if (e instanceof ProviderError) {
      if (e.retryable || e.status === undefined) return undefined;
      return { status: 502, body: { code: err.code, message: err.message } };
    }
  }
  return undefined;
}

/** Runs `work` once per Idempotency-Key (or just runs it without one). */
export async function sendOnce<V>(
  idempotency: IdempotencyService,
  input: SendOnceInput,
  work: (
    markSent: (recordId: string) => Promise<void>,
  ) => Promise<{ view: V; headers: LimitHeaders }>,
): Promise<Sent<V>> {
  const key = input.context.idempotencyKey;
  if (key === undefined) {
    return { ...(await work(() => Promise.resolve())), replayed: false };
  }
  let headers: LimitHeaders = {};
  let sent = false;
  const answer = await runIdempotent(
    idempotency,
    {
      tenantId: input.tenantId,
      key,
      method: 'POST',
      route: input.route,
      body: input.fingerprint,
      mode: 'once',
      actor: input.context.actor,
    },
    async (run) => {
      const done = await work(async (recordId) => {
        await run.markSent(recordId);
        sent = true;
      });
      headers = done.headers;
      return { status: 201, body: done.view };
    },
    { outcomeOfError: (err) => (sent ? refusalOutcome(err) : undefined) },
  );
  if (answer.status >= 400) {
    const e = answer.body as { code?: ErrorCode; message?: string } | null;
    throw new TelvaultError(e?.code ?? 'ERR_CONFLICT', e?.message ?? 'stored refusal');
  }
  // A replay answers the first answer, made for whoever sent it: as the root token sees it when
  // the root token asks again (a tenant's numbers and content never reach it in full).
  const view =
    answer.replayed && !input.context.shown ? viewForRoot(input.kind, answer.body) : answer.body;
  return { view: view as V, headers, replayed: answer.replayed };
}
