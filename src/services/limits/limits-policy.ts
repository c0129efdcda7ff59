// A tenant's outbound limits policy (its `limits` setting): per kind (calls, messages), one window
// per caller (the platform's end user by IP, else the API token) and one or more windows per
// destination number. A fixed window can let up to twice its limit through across its edge, so the
// destination has a short window and a daily one that bounds the total.
import { z } from 'zod';

export type OutboundKind = 'call' | 'message';
/** The policy's key for each kind. */
export const POLICY_KIND = { call: 'calls', message: 'messages' } as const;
export type PolicyKind = (typeof POLICY_KIND)[OutboundKind];

export interface LimitWindow {
  points: number;
  windowSeconds: number;
}

export interface KindPolicy {
  perCaller: LimitWindow;
  perDestination: LimitWindow[];
}

export type LimitsPolicy = Record<PolicyKind, KindPolicy>;

/** The defaults (issue 11; tests rely on them): 30 a minute per caller, 3 in 10 min and 20 a day per destination. */
export const DEFAULT_KIND_POLICY: Readonly<KindPolicy> = Object.freeze({
  perCaller: { points: 30, windowSeconds: 60 },
  perDestination: [
    { points: 3, windowSeconds: 600 },
    { points: 20, windowSeconds: 86_400 },
  ],
});

export const MAX_POINTS = 100_000;
/** A week: longer windows would hold a count (and its store row) for longer than any use needs. */
export const MAX_WINDOW_SECONDS = 604_800;
export const MAX_DESTINATION_WINDOWS = 4;

const pointsRule = `must be a whole number from 1 to ${MAX_POINTS}`;
const windowRule = `must be a whole number of seconds from 1 to ${MAX_WINDOW_SECONDS}`;

const limitWindow = z.strictObject(
  {
    points: z
      .number({ error: pointsRule })
      .int(pointsRule)
      .min(1, pointsRule)
      .max(MAX_POINTS, pointsRule),
    windowSeconds: z
      .number({ error: windowRule })
      .int(windowRule)
      .min(1, windowRule)
      .max(MAX_WINDOW_SECONDS, windowRule),
  },
  { error: 'must be an object { points, windowSeconds }' },
);

export const kindPolicy = z.strictObject(
  {
    perCaller: limitWindow,
    perDestination: z
      .array(limitWindow, { error: 'must be a list of { points, windowSeconds }' })
      .min(1, 'must list at least one window')
      .max(MAX_DESTINATION_WINDOWS, `must list at most ${MAX_DESTINATION_WINDOWS} windows`)
      .refine(
        (l) => new Set(l.map((w) => w.windowSeconds)).size === l.length,
        'must not repeat a windowSeconds',
      ),
  },
  { error: 'must be an object { perCaller, perDestination }' },
);

/** PATCH `limits`: null resets every kind to the defaults; a kind sent replaces it whole, null resets it. */
export const limitsPatch = z
  .strictObject(
    { calls: kindPolicy.nullable().optional(), messages: kindPolicy.nullable().optional() },
    { error: 'must be an object { calls?, messages? } or null' },
  )
  .nullable();
export type LimitsPatch = z.output<typeof limitsPatch>;

const windowView = z.object({ points: z.number().int(), windowSeconds: z.number().int() });
const kindView = z.object({ perCaller: windowView, perDestination: z.array(windowView) });
export const limitsView = z
  .object({ calls: kindView, messages: kindView })
  .describe('The outbound limits in force (the defaults where the tenant set none).');

const storedPolicy = z.object({ calls: kindPolicy.optional(), messages: kindPolicy.optional() });
type StoredPolicy = z.output<typeof storedPolicy>;

function readStored(json: string | null): StoredPolicy {
  if (json === null) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return {};
  }
  const r = storedPolicy.safeParse(parsed);
  return r.success ? r.data : {};
}

const copy = (p: Readonly<KindPolicy>): KindPolicy => ({
  perCaller: { ...p.perCaller },
  perDestination: p.perDestination.map((w) => ({ ...w })),
});

/** The policy in force from the stored column (a kind never set, or unreadable: the defaults). */
export function resolveLimitsPolicy(json: string | null): LimitsPolicy {
  const stored = readStored(json);
  return {
    calls: copy(stored.calls ?? DEFAULT_KIND_POLICY),
    messages: copy(stored.messages ?? DEFAULT_KIND_POLICY),
  };
}

/** The stored column after a PATCH (`undefined`: `limits` not sent, the column is kept). */
export function applyLimitsPatch(
  json: string | null,
  patch: LimitsPatch | undefined,
): string | null {
  if (patch === undefined) return json;
  if (patch === null) return null;
  const next: StoredPolicy = readStored(json);
  for (const kind of ['calls', 'messages'] as const) {
    const p = patch[kind];
    if (p === null) delete next[kind];
    else if (p !== undefined) next[kind] = p;
  }
  return next.calls === undefined && next.messages === undefined ? null : JSON.stringify(next);
}
