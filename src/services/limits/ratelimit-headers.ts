// The RateLimit response headers of the current draft-ietf-httpapi-ratelimit-headers (-10, -11):
// `RateLimit-Policy` lists each quota policy (`"name";q=<quota>;w=<window seconds>`) and
// `RateLimit` the live state of each (`"name";r=<remaining>;t=<seconds until reset>`), both
// Structured Field lists. Chosen over the older RateLimit-Limit/-Remaining/-Reset trio because a
// call is checked against three windows at once (per caller, per destination short and daily) and
// the trio can describe only one, so a client would not learn which window it is about to hit; the
// draft's two fields name every window, and the trio was dropped from the draft in -07. Retry-After
// (RFC 9110) stays the one header a refused client must obey.
export type RateLimitHeaders = Record<string, string>;

export interface WindowState {
  /** The policy's name: a token of [a-z0-9-] (sent as a Structured Field string). */
  policy: string;
  points: number;
  windowSeconds: number;
  remaining: number;
  resetSeconds: number;
}

export const RATELIMIT_POLICY_HEADER = 'RateLimit-Policy';
export const RATELIMIT_HEADER = 'RateLimit';

export function rateLimitHeaders(states: readonly WindowState[]): RateLimitHeaders {
  return {
    [RATELIMIT_POLICY_HEADER]: states
      .map((s) => `"${s.policy}";q=${s.points};w=${s.windowSeconds}`)
      .join(', '),
    [RATELIMIT_HEADER]: states
      .map((s) => `"${s.policy}";r=${Math.max(0, s.remaining)};t=${s.resetSeconds}`)
      .join(', '),
  };
}
