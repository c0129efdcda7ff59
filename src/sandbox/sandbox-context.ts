// What every emulator plugin receives: the shared, in-memory state of one sandbox instance.
// Each provider keeps its own store object here; the admin surface reads and changes them.
// (Skeleton: the sandbox-core owner fills in faults, barriers, counters and the provider stores.)

export interface SandboxContext {
  /** Per-provider state, set by each emulator when it registers. */
  stores: Record<string, unknown>;
}

export function createSandboxContext(): SandboxContext {
  return { stores: {} };
}
