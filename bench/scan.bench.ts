// `telvault scan` on a large generated tree (BENCH_SCAN_FILES files, default 5,000, of about
// BENCH_SCAN_KB KB each, default 10: 50 MB), committed to a git repository: files and MB per
// second of the working-tree scan, against two baselines measured in the same run, interleaved
// round by round (median of BENCH_SCAN_ROUNDS, default 5, after a warm-up that fills the page
// cache): a plain read of the same files (the floor: what any scanner must do) and `git grep` of
// one pattern (what field report 003 did by hand, one regex instead of eleven detectors). Then one
// `--history` scan of the same tree (one commit holding all of it). Wall time: the work is I/O.
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scanSecrets } from '../src/services/scan/index.js';
import type { BenchModule } from './harness.js';

const FILES = Number(process.env['BENCH_SCAN_FILES'] ?? 5000);
const FILE_KB = Number(process.env['BENCH_SCAN_KB'] ?? 10);
const ROUNDS = Number(process.env['BENCH_SCAN_ROUNDS'] ?? 5);

const hex = (n: number) => randomBytes(n).toString('hex');

/** Source-like text with what makes detectors work: sids, hex, base64, `key_`, "tv", URLs. */
function fileText(i: number): string {
  const lines: string[] = [];
  let size = 0;
  while (size < FILE_KB * 1024) {
    const r = lines.length % 12;
    const line =
      r === 0
        ? `import { thing${i} } from './module-${i % 97}.js'; // tv listing`
        : r === 1 && i % 10 === 0
          ? `const account = 'AC${hex(16)}'; // moved in ${hex(20)}`
          : r === 2
            ? `  const id = '${randomUUID()}'; const sha = '${hex(20)}';`
            : r === 3
              ? `  const blob = '${randomBytes(120).toString('base64')}';`
              : lines.length === 4 && i % 50 === 0
                ? `  const retell = 'key_${hex(12)}'; // planted`
                : r === 5
                  ? `  if (options.key_version > 2) return fetch('https://api.example.com/v1/items');`
                  : `  total += values[${lines.length}] * factor; // keep the running sum of ${i}`;
    lines.push(line);
    size += line.length + 1;
  }
  return `${lines.join('\n')}\n`;
}

function makeTree(): { dir: string; files: string[]; bytes: number } {
  const dir = mkdtempSync(join(tmpdir(), 'tv-bench-scan-'));
  const files: string[] = [];
  let bytes = 0;
  for (let i = 0; i < FILES; i++) {
    const file = `src/pkg${i % 50}/file-${i}.ts`;
    mkdirSync(join(dir, `src/pkg${i % 50}`), { recursive: true });
    const text = fileText(i);
    writeFileSync(join(dir, file), text);
    files.push(file);
    bytes += text.length;
  }
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=b', '-c', 'user.email=b@example.com', ...args], {
      cwd: dir,
      stdio: 'ignore',
    });
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-q', '-m', 'tree');
  return { dir, files, bytes };
}

async function plainRead(dir: string, files: readonly string[]): Promise<number> {
  let n = 0;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < files.length) {
      n += (await readFile(join(dir, files[next++] ?? ''))).length;
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  return n;
}

function gitGrep(dir: string): number {
  const r = spawnSync('git', ['grep', '-I', '-c', '-E', 'SG\\.[A-Za-z0-9_-]{16,}'], { cwd: dir });
  return r.stdout.length;
}

async function wall(fn: () => unknown): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

const median = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1] ?? 0;

export const scanBench: BenchModule = {
  name: 'scan',
  async run() {
    const tree = makeTree();
    try {
      const cases: [string, () => unknown][] = [
        ['plain read (baseline)', () => plainRead(tree.dir, tree.files)],
        ['git grep, one pattern', () => gitGrep(tree.dir)],
        ['telvault scan', () => scanSecrets({ path: tree.dir })],
      ];
      for (const [, fn] of cases) await fn(); // warm-up: page cache, JIT
      const times = new Map<string, number[]>(cases.map(([name]) => [name, []]));
      for (let r = 0; r < ROUNDS; r++) {
        for (let i = 0; i < cases.length; i++) {
          const c = cases[(r + i) % cases.length];
          if (c !== undefined) times.get(c[0])?.push(await wall(c[1]));
        }
      }
      const found = (await scanSecrets({ path: tree.dir })).findings.length;
      const mb = tree.bytes / 1e6;
      const base = median(times.get('plain read (baseline)') ?? []);
      console.log(
        `\n${FILES} files, ${mb.toFixed(1)} MB (${found} planted findings); wall time, median of ${ROUNDS} interleaved rounds`,
      );
      console.log('case                     ms      files/s     MB/s  time / plain read');
      for (const [name] of cases) {
        const t = median(times.get(name) ?? []);
        const row = [
          name.padEnd(22),
          t.toFixed(0).padStart(6),
          Math.round(FILES / (t / 1000))
            .toLocaleString('en-US')
            .padStart(12),
          (mb / (t / 1000)).toFixed(1).padStart(8),
          (t / base).toFixed(2).padStart(18),
        ];
        console.log(row.join(' '));
      }
      const historyMs = await wall(() => scanSecrets({ path: tree.dir, history: true }));
      console.log(
        `telvault scan --history (tree + one commit of ${mb.toFixed(1)} MB): ${historyMs.toFixed(0)} ms, ${((2 * mb) / (historyMs / 1000)).toFixed(1)} MB/s`,
      );
    } finally {
      rmSync(tree.dir, { recursive: true, force: true });
    }
  },
};
