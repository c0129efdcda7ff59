// What every emulator plugin receives: the shared, in-memory state of one sandbox instance.
// Each provider keeps its own store here (typed, defined in its folder); the sandbox core keeps
// the exchange log, per-route counters, fault rules and barriers, which apply to every provider.
import type { FastifyRequest } from 'fastify';
import { createBarrierRegistry, type BarrierRegistry } from './core/barriers.js';
import { createExchangeLog, type ExchangeLog } from './core/exchange-log.js';
import { createFaultRegistry, type FaultRegistry } from './core/faults.js';
import type { SandboxProviderName, SandboxProviderStore } from './core/provider-store.js';
import { createExotelStore, type ExotelStore } from './exotel/exotel-store.js';
import { createRetellStore, type RetellStore } from './retell/retell-store.js';
import type { SandboxSeed } from './seed.js';
import { createSendgridStore, type SendgridStore } from './sendgrid/sendgrid-store.js';
import { createTwilioStore, type TwilioStore } from './twilio/twilio-store.js';

/**
 * Builds a provider-shaped error body for an injected fault (status, provider code, message).
 * An object is sent as JSON; a string is sent as is (XML when it starts with `<`).
 * Each emulator registers its own in `context.errorFormatters` when it is registered.
 */
export type SandboxErrorFormatter = (
  status: number,
  code: string | number | undefined,
  message: string,
  request: FastifyRequest,
) => unknown;

export interface SandboxContext {
  /** The seed this sandbox started from (each store applies its own section, also on reset). */
  readonly seed: SandboxSeed;
  readonly twilio: TwilioStore;
  readonly retell: RetellStore;
  readonly exotel: ExotelStore;
  readonly sendgrid: SendgridStore;
  /** Every provider exchange served (admin routes excluded). */
  readonly exchanges: ExchangeLog;
  /** Every provider route registered, keyed `METHOD /route/pattern` (HEAD twins left out). */
  readonly routes: Set<string>;
  /** Calls per route, keyed `METHOD /route/pattern` (`METHOD <unmatched>` for 404s). */
  readonly counters: Map<string, number>;
  readonly faults: FaultRegistry;
  readonly barriers: BarrierRegistry;
  readonly errorFormatters: Partial<Record<SandboxProviderName, SandboxErrorFormatter>>;
}

export function createSandboxContext(seed: SandboxSeed = {}): SandboxContext {
  return {
    seed,
    twilio: createTwilioStore(seed.twilio),
    retell: createRetellStore(seed.retell),
    exotel: createExotelStore(seed.exotel),
    sendgrid: createSendgridStore(seed.sendgrid),
    exchanges: createExchangeLog(),
    routes: new Set(),
    counters: new Map(),
    faults: createFaultRegistry(),
    barriers: createBarrierRegistry(),
    errorFormatters: {},
  };
}

export function providerStore(
  context: SandboxContext,
  provider: SandboxProviderName,
): SandboxProviderStore {
  return context[provider];
}

/** Restores the seeded state everywhere: stores, log, counters, faults, barriers. */
export function resetSandboxContext(context: SandboxContext): void {
  context.twilio.reset();
  context.retell.reset();
  context.exotel.reset();
  context.sendgrid.reset();
  context.exchanges.clear();
  context.counters.clear();
  context.faults.clear();
  context.barriers.clear();
}
