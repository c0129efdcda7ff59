// Barriers: hold requests matching a route until `parties` of them have arrived (then all go on
// together) or until released through the admin surface, to force interleavings such as two
// concurrent "create trunk" calls reaching the emulator at once.
import { randomUUID } from 'node:crypto';
import { matchesSelector, type RequestFacts, type RouteSelector } from './route-match.js';

export interface BarrierInput extends RouteSelector {
  /** Release everyone once this many requests are held. 0: hold until released. Default 2. */
  parties?: number;
  /** Safety valve: held requests go on after this long even if never released. Default 10 s. */
  timeoutMs?: number;
}

export interface BarrierView {
  id: string;
  method: string | undefined;
  route: string | undefined;
  path: string | undefined;
  parties: number;
  /** Requests that reached the barrier so far (held or already let through). */
  arrived: number;
  /** Requests being held right now. */
  waiting: number;
  open: boolean;
}

interface Barrier {
  id: string;
  selector: RouteSelector;
  parties: number;
  timeoutMs: number;
  arrived: number;
  open: boolean;
  waiters: (() => void)[];
  arrivalListeners: (() => void)[];
}

export interface BarrierRegistry {
  add(input: BarrierInput): BarrierView;
  get(id: string): BarrierView | undefined;
  list(): BarrierView[];
  /** Lets every held request go on; the barrier stays open (no longer holds). */
  release(id: string): boolean;
  remove(id: string): boolean;
  clear(): void;
  /** Resolves once `count` requests have arrived at the barrier (for in-process tests). */
  waitForArrivals(id: string, count: number): Promise<void>;
  /** Called by the sandbox hook for each request: resolves when the request may go on. */
  pass(facts: RequestFacts): Promise<void>;
}

function view(b: Barrier): BarrierView {
  return {
    id: b.id,
    method: b.selector.method,
    route: b.selector.route,
    path: b.selector.path,
    parties: b.parties,
    arrived: b.arrived,
    waiting: b.waiters.length,
    open: b.open,
  };
}

function openBarrier(b: Barrier): void {
  b.open = true;
  for (const go of b.waiters.splice(0)) go();
}

export function createBarrierRegistry(): BarrierRegistry {
  const barriers = new Map<string, Barrier>();
  const notifyArrival = (b: Barrier): void => {
    for (const listener of b.arrivalListeners.splice(0)) listener();
  };
  return {
    add(input) {
      const b: Barrier = {
        id: randomUUID(),
        selector: { method: input.method, route: input.route, path: input.path },
        parties: input.parties ?? 2,
        timeoutMs: input.timeoutMs ?? 10_000,
        arrived: 0,
        open: false,
        waiters: [],
        arrivalListeners: [],
      };
      barriers.set(b.id, b);
      return view(b);
    },
    get(id) {
      const b = barriers.get(id);
      return b === undefined ? undefined : view(b);
    },
    list() {
      return [...barriers.values()].map(view);
    },
    release(id) {
      const b = barriers.get(id);
      if (b === undefined) return false;
      openBarrier(b);
      return true;
    },
    remove(id) {
      const b = barriers.get(id);
      if (b === undefined) return false;
      openBarrier(b);
      barriers.delete(id);
      return true;
    },
    clear() {
      for (const b of barriers.values()) openBarrier(b);
      barriers.clear();
    },
    async waitForArrivals(id, count) {
      const b = barriers.get(id);
      if (b === undefined) throw new Error(`no barrier ${id}`);
      while (b.arrived < count) {
        await new Promise<void>((resolve) => b.arrivalListeners.push(resolve));
      }
    },
    async pass(facts) {
      for (const b of barriers.values()) {
        if (b.open || !matchesSelector(b.selector, facts)) continue;
        b.arrived += 1;
        const held = new Promise<void>((resolve) => {
          const go = (): void => {
            clearTimeout(timer);
            resolve();
          };
          const timer = setTimeout(() => {
            const i = b.waiters.indexOf(go);
            if (i !== -1) b.waiters.splice(i, 1);
            resolve();
          }, b.timeoutMs);
          b.waiters.push(go);
        });
        if (b.parties > 0 && b.waiters.length >= b.parties) openBarrier(b);
        notifyArrival(b);
        await held;
      }
    },
  };
}
