// Every commit's changes, from one streamed `git log --all -p` (one process, no per-commit
// `git show`): each hunk is handed over with its added lines marked, so a secret is reported in
// the commit that added it, and with three context lines, so a token added below an account SID
// that was already there is still seen next to it.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { TelvaultError } from '../../errors.js';
import { GIT_BASE_ARGS } from './git.js';

export interface HistoryHunk {
  commit: string;
  /** Path in that commit, relative to the scanned directory. */
  file: string;
  /** The hunk's lines of the new file, without their diff marker. */
  lines: string[];
  /** 1-based line number of each, in the file at that commit. */
  lineNumbers: number[];
  /** Whether each was added by the commit (only those are reported). */
  added: boolean[];
}

export interface HistoryVisitor {
  hunk: (h: HistoryHunk) => void;
  /** A file the commit created (for the `.env` check). */
  newFile: (commit: string, file: string) => void;
}

export interface HistoryCounts {
  commits: number;
  bytes: number;
}

const COMMIT_MARK = '\x01';
const LOG_ARGS = [
  'log',
  '--all',
  '-p',
  '-U3',
  '--no-color',
  '--no-ext-diff',
  '--no-textconv',
  '--no-renames',
  '--relative',
  `--format=${COMMIT_MARK}%H`,
];
const HUNK_HEADER = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@/;

/** "diff --git a/X b/X" (no renames, so both sides are the same path X). */
function diffHeaderPath(line: string): string {
  const rest = line.slice('diff --git '.length);
  return rest.slice(2, 2 + (rest.length - 5) / 2);
}

export async function readHistory(dir: string, visit: HistoryVisitor): Promise<HistoryCounts> {
  const child = spawn('git', [...GIT_BASE_ARGS, '-C', dir, ...LOG_ARGS], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (s: string) => {
    if (stderr.length < 2000) stderr += s;
  });
  const exited = new Promise<number>((resolve) => {
    child.on('error', (err) => {
      stderr = err.message;
      resolve(-1);
    });
    child.on('close', (code) => resolve(code ?? -1));
  });
  child.stdout.setEncoding('latin1');

  const counts: HistoryCounts = { commits: 0, bytes: 0 };
  let commit = '';
  let diffPath = '';
  let file: string | undefined;
  let hunk: HistoryHunk | undefined;
  let nextLine = 0;
  const flush = (): void => {
    if (hunk !== undefined && hunk.added.includes(true)) visit.hunk(hunk);
    hunk = undefined;
  };
  for await (const line of createInterface({ input: child.stdout, crlfDelay: Infinity })) {
    counts.bytes += line.length + 1;
    if (line.startsWith(COMMIT_MARK)) {
      flush();
      commit = line.slice(1);
      counts.commits++;
    } else if (line.startsWith('diff --git ')) {
      flush();
      diffPath = diffHeaderPath(line);
      file = undefined;
    } else if (line.startsWith('@@ ')) {
      flush();
      const start = HUNK_HEADER.exec(line)?.[1];
      if (file !== undefined && start !== undefined) {
        nextLine = Number(start);
        hunk = { commit, file, lines: [], lineNumbers: [], added: [] };
      }
    } else if (hunk !== undefined) {
      const marker = line[0] ?? ' '; // an empty context line may lose its space
      if (marker !== '+' && marker !== ' ') continue; // '-' (removed) and '\' (no newline)
      hunk.lines.push(line.slice(1));
      hunk.lineNumbers.push(nextLine++);
      hunk.added.push(marker === '+');
    } else if (line.startsWith('new file mode')) {
      visit.newFile(commit, diffPath);
    } else if (line.startsWith('+++ ')) {
      file = line.startsWith('+++ b/') ? line.slice('+++ b/'.length) : undefined;
    }
  }
  flush();
  const code = await exited;
  if (code !== 0) {
    throw new TelvaultError(
      'ERR_SCAN_GIT_FAILED',
      `git log failed (exit ${code}): ${stderr.trim().slice(0, 500)}`,
    );
  }
  return counts;
}
