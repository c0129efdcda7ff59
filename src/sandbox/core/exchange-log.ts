// Every request/response pair an emulator served, kept in memory so tests can scan them (for
// example: no response ever carries a SIP password). Admin routes are not recorded.
import type { SandboxProviderName } from './provider-store.js';

export interface SandboxExchange {
  seq: number;
  provider: SandboxProviderName | undefined;
  method: string;
  /** The sandbox path with its query, e.g. `/twilio-trunking/v1/Trunks?PageSize=2`. */
  url: string;
  /** Route pattern that matched, e.g. `/twilio-trunking/v1/Trunks/:Sid`; undefined when none did. */
  route: string | undefined;
  /** The parsed request body (object for JSON and form bodies; form bodies keep repeated keys). */
  requestBody: unknown;
  status: number;
  /** The response body as sent (usually a JSON string); undefined when nothing was sent. */
  responseBody: string | undefined;
  responseHeaders: Record<string, string>;
  /** Set when a fault dropped the connection (the client saw no response). */
  dropped: boolean;
}

export interface ExchangeLog {
  readonly entries: readonly SandboxExchange[];
  record(entry: Omit<SandboxExchange, 'seq'>): void;
  clear(): void;
}

/** Keeps the last `limit` exchanges (a long-running `telvault sandbox` must not grow forever). */
export function createExchangeLog(limit = 10_000): ExchangeLog {
  const entries: SandboxExchange[] = [];
  let seq = 0;
  return {
    entries,
    record(entry) {
      seq += 1;
      entries.push({ seq, ...entry });
      if (entries.length > limit) entries.splice(0, entries.length - limit);
    },
    clear() {
      entries.length = 0;
    },
  };
}
