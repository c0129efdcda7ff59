// The container image test's tools: the gate (buildah, debootstrap, root), a command runner whose
// errors name the command and its exit code but never its arguments (they carry tokens and keys),
// and the /proc walk that finds the server process inside a `buildah run`.
import { execFile } from 'node:child_process';
import { accessSync, constants, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const onCi = process.env['CI'] === 'true';

/** An executable on PATH or in the sbin directories (debootstrap lives in /usr/sbin). */
export function findTool(name: string): string | undefined {
  const dirs = [...(process.env['PATH'] ?? '').split(':'), '/usr/sbin', '/sbin'];
  for (const dir of dirs) {
    if (dir === '') continue;
    const path = join(dir, name);
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Why the image test cannot run on this machine (empty: it can). */
export function imageTestProblems(): string[] {
  const problems: string[] = [];
  if (findTool('buildah') === undefined)
    problems.push('buildah is not installed (apt-get install buildah)');
  if (findTool('debootstrap') === undefined)
    problems.push('debootstrap is not installed (apt-get install debootstrap)');
  if (process.getuid?.() !== 0)
    problems.push('not root: debootstrap and buildah with chroot isolation need root');
  return problems;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end; resolves whatever its exit code. */
export function runTool(
  cmd: string,
  args: readonly string[],
  opts: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(
      cmd,
      [...args],
      {
        maxBuffer: 256 * 1024 * 1024,
        timeout: opts.timeoutMs ?? 600_000,
        env: opts.env ?? process.env,
      },
      (err, stdout, stderr) => {
        const code =
          err === null ? 0 : typeof err.code === 'number' ? err.code : err.killed ? 124 : 1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

const tail = (text: string, lines: number): string => text.split('\n').slice(-lines).join('\n');

/** Runs a command and resolves to its stdout; a non-zero exit rejects with its output's tail. */
export async function mustRun(
  cmd: string,
  args: readonly string[],
  opts: { timeoutMs?: number; env?: NodeJS.ProcessEnv; what?: string } = {},
): Promise<string> {
  const r = await runTool(cmd, args, opts);
  if (r.code !== 0) {
    const what = opts.what ?? `${cmd} ${args[0] ?? ''}`;
    throw new Error(
      `${what} exited ${r.code}:\n${tail(r.stdout, 40)}\n--- stderr ---\n${tail(r.stderr, 40)}`,
    );
  }
  return r.stdout;
}

export const buildah = (args: readonly string[], opts: { timeoutMs?: number } = {}) =>
  mustRun('buildah', args, { ...opts, what: `buildah ${args[0] ?? ''}` });

function parentIn(stat: string): number {
  // "pid (comm) state ppid …": comm may hold spaces and parentheses, so split after the last ")".
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}

/** A process's parent (-1 once it has gone). */
export function parentOf(pid: number): number {
  try {
    return parentIn(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return -1;
  }
}

/** Every process below `pid` (children, grandchildren, …), read from /proc. */
export function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    const ppid = parentIn(stat);
    const list = children.get(ppid) ?? [];
    list.push(Number(entry));
    children.set(ppid, list);
  }
  const out: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const next = children.get(queue.shift() ?? -1) ?? [];
    out.push(...next);
    queue.push(...next);
  }
  return out;
}

/** A process's argv, or [] once it has gone. */
export function commandLine(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8')
      .split('\0')
      .filter((s) => s !== '');
  } catch {
    return [];
  }
}

/** The real, effective, saved and file-system user ids of a process (/proc/<pid>/status). */
export function processUids(pid: number): number[] {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const line = status.split('\n').find((l) => l.startsWith('Uid:')) ?? '';
  return line
    .slice(4)
    .trim()
    .split(/\s+/)
    .map((s) => Number(s));
}
