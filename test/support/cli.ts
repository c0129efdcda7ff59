// Running the CLI in-process as a user would: exactly the TELVAULT_ variables given (every other
// one unset for the call, so the machine's environment cannot leak in), output captured.
import { vi } from 'vitest';
import type { CliIo } from '../../src/cli/io.js';
import { runCli } from '../../src/cli/main.js';

/** Stubs the environment to exactly `vars` among TELVAULT_ variables (undo: vi.unstubAllEnvs). */
export function stubTelvaultEnv(vars: Readonly<Record<string, string | undefined>>): void {
  for (const k of Object.keys(process.env)) if (k.startsWith('TELVAULT_')) vi.stubEnv(k, undefined);
  for (const [k, v] of Object.entries(vars)) vi.stubEnv(k, v);
}

/** A CliIo that keeps what was written: stdout, stderr, and both in order. */
export function captureIo(): {
  io: CliIo;
  out: () => string;
  err: () => string;
  all: () => string;
} {
  const out: string[] = [];
  const err: string[] = [];
  const all: string[] = [];
  return {
    io: {
      write: (s: string) => void (out.push(s), all.push(s)),
      writeError: (s: string) => void (err.push(s), all.push(s)),
    },
    out: () => out.join(''),
    err: () => err.join(''),
    all: () => all.join(''),
  };
}

/** `telvault <args>` with exactly `vars` as its TELVAULT_ environment, restored afterwards. */
export async function runCliWithEnv(
  args: readonly string[],
  vars: Readonly<Record<string, string | undefined>>,
): Promise<{ code: number; out: string; err: string; all: string }> {
  stubTelvaultEnv(vars);
  const io = captureIo();
  try {
    const code = await runCli(args, io.io);
    return { code, out: io.out(), err: io.err(), all: io.all() };
  } finally {
    vi.unstubAllEnvs();
  }
}
