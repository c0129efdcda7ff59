// What provider clients may report about each HTTP exchange: never a body, a header value or a
// query string (bodies carry passwords and tokens; queries can carry customers' phone numbers).
import type { ProviderName } from '../provider-error.js';

export interface ProviderLogEntry {
  provider: ProviderName;
  method: string;
  /** Canonical host and path only, e.g. `trunking.twilio.com/v1/Trunks`. */
  target: string;
  /** HTTP status, or undefined when no response arrived. */
  status: number | undefined;
  durationMs: number;
}

export type ProviderLogger = (entry: ProviderLogEntry) => void;
