// The git commands the scanner runs (git itself, never a library: it is what the user's hooks run).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { TelvaultError } from '../../errors.js';

const run = promisify(execFile);

/** git, with paths printed as they are (not octal-quoted) and no pager or external diff. */
export const GIT_BASE_ARGS = ['-c', 'core.quotePath=false', '--no-pager'] as const;

/** True when `dir` is inside a git work tree (false when it is not, or git is not installed). */
export async function isGitWorkTree(dir: string): Promise<boolean> {
  try {
    const r = await run('git', [...GIT_BASE_ARGS, '-C', dir, 'rev-parse', '--is-inside-work-tree']);
    return r.stdout.trim() === 'true';
  } catch {
    return false;
  }
}

/**
 * The files git would consider (tracked, plus untracked ones not ignored by .gitignore and the
 * other exclude files), relative to `dir`.
 */
export async function listGitFiles(dir: string): Promise<string[]> {
  try {
    const r = await run(
      'git',
      [...GIT_BASE_ARGS, '-C', dir, 'ls-files', '-z', '-c', '-o', '--exclude-standard'],
      { maxBuffer: 1 << 30, encoding: 'utf8' },
    );
    // A file both tracked and modified is listed once per flag; keep one.
    return [...new Set(r.stdout.split('\0').filter((p) => p !== ''))];
  } catch (err) {
    throw new TelvaultError('ERR_SCAN_GIT_FAILED', 'git ls-files failed', { cause: err });
  }
}
