// The limits on outbound calls and messages (issue 11): per caller (the platform's end user by
// `callerIp`, else the API token: the HTTP client is the platform's backend and must not be
// throttled as if it were one person) and per destination number, each window a fail-closed
// limiter on the deployment's store. A request refused by one window consumes nothing: what the
// others counted is given back. The destination is keyed by an HMAC (system rate-limit subkey) of
// the tenant id and the number together: never the number, never a phone's blind index (another
// subkey), and two tenants calling one number count apart (a shared count would link them).
import { isIP } from 'node:net';
import type { TenantId } from '../../crypto/index.js';
import { TelvaultError } from '../../errors.js';
import type { AuditService } from '../audit/index.js';
import type { Logger } from '../common/index.js';
import type { KeyService } from '../keys/index.js';
import { clientAddressKey } from './client-address.js';
import { unavailable, type FailClosedLimiter, type LimitCount } from './fail-closed-limiter.js';
import type { LimiterFactory, LimitSpec } from './limiter-factory.js';
import { POLICY_KIND, type LimitsPolicy, type OutboundKind } from './limits-policy.js';
import { rateLimitHeaders, type RateLimitHeaders, type WindowState } from './ratelimit-headers.js';
import { createRejectionCounter } from './rejection-counter.js';
import { RateLimitError } from './rate-limit-error.js';

/** Domain strings of the limiter keys (JSON arrays: unambiguous). Stored in the store: do not change. */
const CALLER_KEY_DOMAIN = 'telvault/limits/caller/v1';
const DESTINATION_KEY_DOMAIN = 'telvault/limits/destination/v1';
const E164 = /^\+[1-9][0-9]{1,14}$/;
/** Limiter instances kept (rate-limiter-flexible fixes points and window per instance). */
const MAX_CACHED_LIMITERS = 1_000;

export interface OutboundChargeInput {
  tenantId: TenantId;
  kind: OutboundKind;
  /** The platform's end user (e.g. the browser behind a click-to-call widget), when known. */
  callerIp?: string | undefined;
  /** The API token making the request: the caller when no callerIp is given. */
  tokenId: string;
  /** The destination, already normalized to E.164. */
  destination: string;
}

export interface OutboundLimits {
  /**
   * Counts one call or message against every window of the tenant's policy. Resolves to the
   * RateLimit headers to send; rejects with RateLimitError ERR_RATE_LIMITED (429, Retry-After and
   * the headers) when a window is full, with ERR_RATE_LIMIT_UNAVAILABLE (503) when the store does
   * not answer, and with ERR_VALIDATION for a destination or callerIp that is not well formed.
   */
  charge(input: OutboundChargeInput): Promise<RateLimitHeaders>;
  /** Writes the aggregated `limits.rejected` audit events now (a timer does it every minute). */
  flushRejections(): Promise<void>;
  close(): Promise<void>;
}

export interface OutboundLimitsDeps {
  limiters: Pick<LimiterFactory, 'createFailClosed'>;
  keys: Pick<KeyService, 'rateLimitKey'>;
  settings: { limitsPolicy(tenantId: TenantId): Promise<LimitsPolicy> };
  audit: Pick<AuditService, 'record'>;
  logger: Logger;
}

interface Window {
  policy: string;
  spec: LimitSpec;
  key: string;
}

function checkInput(input: OutboundChargeInput): void {
  if (typeof input.destination !== 'string' || !E164.test(input.destination)) {
    throw new TelvaultError(
      'ERR_VALIDATION',
      'destination: must be an E.164 number (+ and 2 to 15 digits)',
    );
  }
  if (input.callerIp !== undefined && isIP(input.callerIp.split('%')[0] ?? '') === 0) {
    throw new TelvaultError('ERR_VALIDATION', 'callerIp: must be an IPv4 or IPv6 address');
  }
  if (input.callerIp === undefined && (typeof input.tokenId !== 'string' || input.tokenId === '')) {
    throw new TelvaultError('ERR_VALIDATION', 'tokenId: must be a token id');
  }
}

export function createOutboundLimits(deps: OutboundLimitsDeps): OutboundLimits {
  const rejections = createRejectionCounter({ audit: deps.audit, logger: deps.logger });
  const cache = new Map<string, Promise<FailClosedLimiter>>();

  function limiterFor(spec: LimitSpec): Promise<FailClosedLimiter> {
    const id = `${spec.name}|${spec.points}`;
    let limiter = cache.get(id);
    if (limiter === undefined) {
      if (cache.size >= MAX_CACHED_LIMITERS) cache.clear();
      limiter = deps.limiters.createFailClosed(spec);
      limiter.catch(() => cache.delete(id));
      cache.set(id, limiter);
    }
    return limiter;
  }

  async function windowsOf(input: OutboundChargeInput): Promise<Window[]> {
    const policy = (await deps.settings.limitsPolicy(input.tenantId))[POLICY_KIND[input.kind]];
    const caller =
      input.callerIp !== undefined
        ? ['ip', clientAddressKey(input.callerIp)]
        : ['token', input.tokenId];
    const spec = (scope: string, w: { points: number; windowSeconds: number }): LimitSpec => ({
      name: `out-${input.kind}-${scope}-${w.windowSeconds}s`,
      points: w.points,
      windowSeconds: w.windowSeconds,
    });
    try {
      const callerKey = await deps.keys.rateLimitKey(
        JSON.stringify([CALLER_KEY_DOMAIN, input.tenantId, ...caller]),
      );
      const destKey = await deps.keys.rateLimitKey(
        JSON.stringify([DESTINATION_KEY_DOMAIN, input.tenantId, input.destination]),
      );
      return [
        { policy: 'caller', spec: spec('caller', policy.perCaller), key: callerKey },
        ...policy.perDestination.map((w) => ({
          policy: `destination-${w.windowSeconds}s`,
          spec: spec('dest', w),
          key: destKey,
        })),
      ];
    } catch (err) {
      // No system key to make the limiter keys with: nothing can be counted, so nothing goes out.
      throw unavailable({ name: 'outbound', points: 0, windowSeconds: 0 }, err);
    }
  }

  /** Gives back what a refused request counted (best effort: a lost refund only errs on refusing). */
  async function refund(windows: Window[], counted: (LimitCount | undefined)[]): Promise<void> {
    await Promise.all(
      windows.map(async (w, i) => {
        if (counted[i] === undefined) return;
        const limiter = await limiterFor(w.spec);
        await limiter.refund(w.key).catch((err: unknown) => {
          deps.logger.warn({ limit: w.spec.name, reason: String(err) }, 'limits: refund lost');
        });
      }),
    );
  }

  return {
    // Every window is counted at once (one round trip to the store) and a refusal gives back what
    // was counted. Two requests racing at a window's edge may then both be refused where one would
    // fit: the race errs on refusing, never on letting a call through past a limit.
    async charge(input) {
      checkInput(input);
      const windows = await windowsOf(input);
      const limiters = await Promise.all(windows.map((w) => limiterFor(w.spec)));
      const settled = await Promise.allSettled(limiters.map((l, i) => l.consume(windows[i]!.key)));
      const counted = settled.map((r) => (r.status === 'fulfilled' ? r.value : undefined));
      const failure = settled.find((r) => r.status === 'rejected');
      if (failure !== undefined) {
        await refund(windows, counted);
        throw failure.reason;
      }
      const states: WindowState[] = windows.map((w, i) => ({
        policy: w.policy,
        points: w.spec.points,
        windowSeconds: w.spec.windowSeconds,
        remaining: counted[i]?.remaining ?? 0,
        resetSeconds: counted[i]?.resetSeconds ?? w.spec.windowSeconds,
      }));
      const refused = states.filter((_, i) => counted[i]?.limited === true);
      if (refused.length === 0) return rateLimitHeaders(states);

      await refund(windows, counted);
      const given = states.map((s, i) =>
        counted[i]?.limited === true ? s : { ...s, remaining: Math.min(s.points, s.remaining + 1) },
      );
      const kind = POLICY_KIND[input.kind];
      for (const s of refused) rejections.count(input.tenantId, kind, s.policy);
      const retryAfter = Math.max(...refused.map((s) => s.resetSeconds));
      const names = refused.map((s) => `${s.policy} (${s.points} per ${s.windowSeconds} s)`);
      throw new RateLimitError(
        'ERR_RATE_LIMITED',
        `${input.kind} refused: the ${names.join(' and ')} limit is reached; retry in ${retryAfter} s`,
        retryAfter,
        rateLimitHeaders(given),
      );
    },
    flushRejections: () => rejections.flush(),
    close: () => rejections.close(),
  };
}
