// What every provider-reaching POST (a call, an SMS, an email) shares: the Idempotency-Key checked
// first (a replay answers the stored view and sends nothing, charges no limit), then the work,
// which creates its record before the provider call and marks the key sent with the record's id
// just before it, so a retry after a crash is told the outcome is unknown rather than sent twice.
import type { TenantId } from '../../crypto/index.js';
import { TelvaultError, type ErrorCode } from '../../errors.js';
import type { Actor } from '../audit/actor.js';
import { runIdempotent, type IdempotencyService } from '../idempotency/index.js';

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
  context: SendContext;
  /** The route's template (`/v1/tenants/:tenantId/calls`). */
  route: string;
  /** The request as the fingerprint sees it: values revealed (only its HMAC is stored). */
  fingerprint: unknown;
}

export const tokenIdOf = (actor: Actor): string =>
  actor.kind === 'token' ? actor.tokenId : actor.kind;

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
      const done = await work((recordId) => run.markSent(recordId));
      headers = done.headers;
      return { status: 201, body: done.view };
    },
  );
  if (answer.status >= 400) {
    const e = answer.body as { code?: ErrorCode; message?: string } | null;
    throw new TelvaultError(e?.code ?? 'ERR_CONFLICT', e?.message ?? 'stored refusal');
  }
  return { view: answer.body as V, headers, replayed: answer.replayed };
}
