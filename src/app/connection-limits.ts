// The connection cap, from TELVAULT_MAX_CONNECTIONS or the process's open-file limit: every socket
// is a descriptor, and a process that runs out of them can no longer answer /healthz, open its
// database or write its log. Part of the limit stays free for those.
import { readFileSync } from 'node:fs';
import { TelvaultError } from '../errors.js';

/** The cap where the open-file limit cannot be read (not Linux) or is unlimited. */
export const FALLBACK_MAX_CONNECTIONS = 1_000;

/** The soft open-file limit of this process (Node raises it to the hard limit at start), if known. */
export function readDescriptorLimit(): number | undefined {
  try {
    const limits = readFileSync('/proc/self/limits', 'utf8');
    const soft = /^Max open files\s+(\d+)\s/m.exec(limits)?.[1];
    return soft === undefined ? undefined : Number(soft);
  } catch {
    return undefined;
  }
}

/** Leaves a fifth of the limit, and at least 64 descriptors, for everything that is not a client. */
export function defaultMaxConnections(limit: number | undefined): number {
  if (limit === undefined) return FALLBACK_MAX_CONNECTIONS;
  return Math.max(1, Math.min(Math.floor(limit * 0.8), limit - 64));
}

export function resolveMaxConnections(
  configured: number | undefined,
  limit: number | undefined = readDescriptorLimit(),
): number {
  if (configured === undefined) return defaultMaxConnections(limit);
  if (limit !== undefined && configured >= limit) {
    throw new TelvaultError(
      'ERR_CONFIG_INVALID',
      `TELVAULT_MAX_CONNECTIONS: ${configured} is not below this process's open-file limit (${limit}); lower it, or raise the limit (ulimit -n)`,
    );
  }
  return configured;
}
