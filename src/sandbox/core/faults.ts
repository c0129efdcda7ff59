// Fault rules: make the Nth matching call of a route fail, slow down, lose its connection, or
// answer with a redirect.
// The sandbox hooks (sandbox-hooks.ts) consult them for every provider route.
import { randomUUID } from 'node:crypto';
import { matchesSelector, type RequestFacts, type RouteSelector } from './route-match.js';

export type FaultAction =
  /** Answer `status` with the provider's error body (from its error formatter); handler not run. */
  | { kind: 'error'; status: number; code?: string | number; message?: string }
  /** Wait `ms` before the handler runs. */
  | { kind: 'latency'; ms: number }
  /** Destroy the connection before the handler runs: nothing is applied. */
  | { kind: 'drop' }
  /** Run the handler (the change is committed), then destroy the connection without a response. */
  | { kind: 'drop-after-commit' }
  /** Answer `status` with `Location: location` and an empty body; handler not run. */
  | { kind: 'redirect'; status: RedirectStatus; location: string };

export const REDIRECT_STATUSES = [301, 302, 303, 307, 308] as const;
export type RedirectStatus = (typeof REDIRECT_STATUSES)[number];

export interface FaultRuleInput extends RouteSelector {
  /** The first matching call affected, 1-based, counted from when the rule is added. Default 1. */
  nth?: number;
  /** How many matching calls from the Nth on are affected; 0 means every one. Default 1. */
  times?: number;
  action: FaultAction;
  /** Adds `x-should-retry: true|false` to the response (errors and normal answers alike). */
  shouldRetry?: boolean;
}

export interface FaultRule extends FaultRuleInput {
  id: string;
  nth: number;
  times: number;
  /** Matching calls seen so far. */
  seen: number;
  /** Calls this rule has affected so far. */
  fired: number;
}

export interface FaultRegistry {
  readonly rules: readonly FaultRule[];
  add(input: FaultRuleInput): FaultRule;
  remove(id: string): boolean;
  clear(): void;
  /** Counts the call against every matching rule and returns the rules that fire for it. */
  take(facts: RequestFacts): FaultRule[];
}

export function createFaultRegistry(): FaultRegistry {
  const rules: FaultRule[] = [];
  return {
    rules,
    add(input) {
      const rule: FaultRule = {
        ...input,
        id: randomUUID(),
        nth: input.nth ?? 1,
        times: input.times ?? 1,
        seen: 0,
        fired: 0,
      };
      rules.push(rule);
      return rule;
    },
    remove(id) {
      const i = rules.findIndex((r) => r.id === id);
      if (i === -1) return false;
      rules.splice(i, 1);
      return true;
    },
    clear() {
      rules.length = 0;
    },
    take(facts) {
      const firing: FaultRule[] = [];
      for (const rule of rules) {
        if (!matchesSelector(rule, facts)) continue;
        rule.seen += 1;
        const last = rule.times === 0 ? Infinity : rule.nth + rule.times - 1;
        if (rule.seen >= rule.nth && rule.seen <= last) {
          rule.fired += 1;
          firing.push(rule);
        }
      }
      return firing;
    },
  };
}
