// The shared benchmark harness: each bench module measures its cases interleaved, round by round,
// so every ratio compares figures taken under the same machine load, and prints its own table.

export interface BenchModule {
  /** Short name, matched by the CLI filter (`npm run bench -- crypto`). */
  readonly name: string;
  run(): Promise<void>;
}

export interface BenchCase {
  readonly name: string;
  /** One operation. Return something derived from the work so it cannot be optimised away. */
  fn(): unknown;
  /** Time budget per round for slow cases (default: the suite's). */
  readonly roundMs?: number;
}

export interface BenchOptions {
  /** Name of the case every ratio is relative to (measured in the same run). */
  baseline: string;
  rounds?: number;
  roundMs?: number;
  warmupMs?: number;
}

export interface BenchResult {
  name: string;
  /** Median over rounds. */
  opsPerSec: number;
  /** Median over rounds of (this case / baseline) measured in the same round. */
  ratio: number;
  rounds: number;
}

let sink = 0;

function consume(value: unknown): void {
  if (typeof value === 'string' || value instanceof Uint8Array) sink ^= value.length;
  else if (value !== undefined && value !== null) sink ^= 1;
}

/** Microseconds of CPU (user + system) this process has used since `start`. */
function cpuMicros(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return used.user + used.system;
}

/**
 * Runs `fn` for about `ms` milliseconds of this process's CPU time (at least once); returns ops
 * per CPU-second. CPU time rather than wall time, so other load on a shared machine (time the
 * process spends descheduled) does not count against whichever case happened to be running.
 */
function timeFor(fn: () => unknown, ms: number): number {
  const budget = ms * 1000;
  const start = process.cpuUsage();
  let ops = 0;
  let batch = 1;
  let elapsed: number;
  do {
    for (let i = 0; i < batch; i++) consume(fn());
    ops += batch;
    elapsed = cpuMicros(start);
    if (elapsed < budget / 20) batch *= 2;
  } while (elapsed < budget);
  return ops / (elapsed / 1e6);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] ?? 0)
    : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/**
 * Warm-up, then `rounds` interleaved rounds over every case; medians of ops/s and of ratios. Each
 * round starts at the next case (round r runs cases r, r+1, …, wrapping), so no case always
 * follows the same neighbour (whose garbage or cache state it could inherit), and many short
 * rounds pair each ratio's two figures closer in time than a few long ones.
 */
export function measure(cases: readonly BenchCase[], options: BenchOptions): BenchResult[] {
  const rounds = options.rounds ?? 15;
  const roundMs = options.roundMs ?? 150;
  const warmupMs = options.warmupMs ?? 300;
  for (const c of cases) timeFor(() => c.fn(), Math.min(c.roundMs ?? warmupMs, warmupMs));
  const samples = new Map<string, number[]>(cases.map((c) => [c.name, []]));
  const ratios = new Map<string, number[]>(cases.map((c) => [c.name, []]));
  for (let r = 0; r < rounds; r++) {
    const round = new Map<string, number>();
    for (let i = 0; i < cases.length; i++) {
      const c = cases[(r + i) % cases.length];
      if (c !== undefined)
        round.set(
          c.name,
          timeFor(() => c.fn(), c.roundMs ?? roundMs),
        );
    }
    const base = round.get(options.baseline);
    if (base === undefined) throw new Error(`baseline "${options.baseline}" is not a case`);
    for (const [name, ops] of round) {
      samples.get(name)?.push(ops);
      ratios.get(name)?.push(ops / base);
    }
  }
  if (sink === 0.5) console.log(''); // keeps `sink` observable
  return cases.map((c) => ({
    name: c.name,
    opsPerSec: median(samples.get(c.name) ?? []),
    ratio: median(ratios.get(c.name) ?? []),
    rounds,
  }));
}

function formatOps(ops: number): string {
  return ops >= 100 ? Math.round(ops).toLocaleString('en-US') : ops.toFixed(2);
}

/** Prints a table: case, ops/s, ratio to the baseline. */
export function printTable(title: string, baseline: string, results: readonly BenchResult[]): void {
  const rows = results.map((r) => [
    r.name,
    formatOps(r.opsPerSec),
    r.ratio >= 0.01 ? r.ratio.toFixed(3) : r.ratio.toExponential(2),
  ]);
  const header = ['case', 'ops/s', `ratio to ${baseline}`];
  const widths = header.map((h, i) =>
    Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)),
  );
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
      .join('  ');
  console.log(
    `\n${title} (ops per CPU-second, median of ${results[0]?.rounds ?? 0} interleaved rounds)`,
  );
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) console.log(line(row));
}
