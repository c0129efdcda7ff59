import { v7 as uuidv7 } from 'uuid';

/** Now as stored: ISO-8601 UTC with milliseconds, fixed width (text order is time order). */
export function nowIso(clock: () => number = Date.now): string {
  return new Date(clock()).toISOString();
}

/** A new record id (UUIDv7: time-ordered, assigned before insert so envelopes can bind to it). */
export function newId(): string {
  return uuidv7();
}
