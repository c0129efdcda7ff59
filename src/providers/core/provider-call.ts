// One timed provider call, shared by every client: runs it, turns any failure into the client's
// ProviderError, and reports provider, operation, outcome, status and duration to the client's log
// hook (never a body, a header or a vendor message).
import { ProviderError, type ProviderName } from '../provider-error.js';

/** One provider call, as a client reports it to its log hook. */
export interface ProviderCallEntry<P extends ProviderName = ProviderName> {
  provider: P;
  operation: string;
  ok: boolean;
  /** HTTP status where known: a failure's status, or a success's when the client reads it. */
  status: number | undefined;
  code: string | undefined;
  durationMs: number;
}

/**
 * Runs `run` as `operation`. `okStatus` reads the HTTP status of a successful result, for clients
 * that see it (the SDK-based ones do not).
 */
export type ProviderCall = <T>(
  operation: string,
  run: () => Promise<T>,
  okStatus?: (result: T) => number | undefined,
) => Promise<T>;

/**
 * `toProviderError` maps what `run` threw; an error it rethrows (a bug, not a provider failure)
 * passes through unlogged.
 */
export function createProviderCall<P extends ProviderName>(
  provider: P,
  toProviderError: (operation: string, error: unknown) => ProviderError,
  log?: (entry: ProviderCallEntry<P>) => void,
): ProviderCall {
  return async (operation, run, okStatus) => {
    const started = performance.now();
    try {
      const result = await run();
      log?.({
        provider,
        operation,
        ok: true,
        status: okStatus?.(result),
        code: undefined,
        durationMs: performance.now() - started,
      });
      return result;
    } catch (error) {
      const typed = toProviderError(operation, error);
      log?.({
        provider,
        operation,
        ok: false,
        status: typed.status,
        code: typed.code,
        durationMs: performance.now() - started,
      });
      throw typed;
    }
  };
}

/** For clients whose requests fail only with a ProviderError: anything else is a bug, rethrown. */
export function passProviderError(_operation: string, error: unknown): ProviderError {
  if (error instanceof ProviderError) return error;
  throw error;
}
