// Progress of long work (key rotations, trunk jobs): a bar on a terminal, plain lines otherwise (at
// most one a second, so logs stay readable, and the last one always). `stderr` keeps them out of
// output a script parses (`--json`).
import cliProgress from 'cli-progress';
import type { CliIo } from './io.js';
import { processIo, writeError } from './io.js';

export interface Reporter {
  update(p: { done: number; total: number }): void;
  stop(): void;
}

export function progressReporter(
  io: CliIo,
  label: string,
  options: { stderr?: boolean } = {},
): Reporter {
  const stream = options.stderr === true ? process.stderr : process.stdout;
  if (io === processIo && stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      { format: `${label} [{bar}] {percentage}% {value}/{total}`, hideCursor: true, stream },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    return {
      update(p) {
        if (!started) bar.start(Math.max(p.total, 1), p.done);
        started = true;
        bar.setTotal(Math.max(p.total, 1));
        bar.update(p.done);
      },
      stop: () => bar.stop(),
    };
  }
  let last = 0;
  let pending: string | undefined;
  const write = (line: string) => (options.stderr === true ? writeError(io, line) : io.write(line));
  return {
    update(p) {
      pending = `${label}: ${p.done}/${p.total}\n`;
      if (Date.now() - last < 1000) return;
      last = Date.now();
      write(pending);
      pending = undefined;
    },
    // The last figure is always shown, however soon it came after the one before.
    stop: () => {
      if (pending !== undefined) write(pending);
      pending = undefined;
    },
  };
}
