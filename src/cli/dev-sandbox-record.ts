// Where a running `telvault dev` serves its sandbox, recorded beside its state (`dev-sandbox.json`
// in the data directory, mode 0600, removed when dev stops), so the operator commands that reach
// providers (trunk, phones, tenant subaccount) opened on dev's data directory talk to dev's
// sandbox rather than to the live providers with the sandbox's credentials.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { TelvaultConfig } from '../config.js';
import { TelvaultError } from '../errors.js';
import { DEV_MASTER_KEY_FILE, writePrivateFileAtomic } from './dev-key-files.js';

export const DEV_SANDBOX_RECORD_FILE = 'dev-sandbox.json';

interface DevSandboxRecord {
  url: string;
  pid: number;
}

/** Records the sandbox dev's provider clients use; the returned function removes the record. */
export function recordDevSandbox(dataDir: string, url: string): () => void {
  const path = join(dataDir, DEV_SANDBOX_RECORD_FILE);
  const record: DevSandboxRecord = { url, pid: process.pid };
  writePrivateFileAtomic(path, `${JSON.stringify(record)}\n`);
  return () => rmSync(path, { force: true });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The running dev's sandbox URL recorded in `dataDir`, if its process is still alive. */
export function runningDevSandbox(dataDir: string): string | undefined {
  const path = join(dataDir, DEV_SANDBOX_RECORD_FILE);
  if (!existsSync(path)) return undefined;
  try {
    const r = JSON.parse(readFileSync(path, 'utf8')) as Partial<DevSandboxRecord>;
    if (typeof r.url !== 'string' || typeof r.pid !== 'number') return undefined;
    return isAlive(r.pid) ? r.url : undefined;
  } catch {
    return undefined;
  }
}

/**
 * For a command that reaches providers: when neither TELVAULT_PROVIDERS nor TELVAULT_SANDBOX_URL
 * says where to, a `telvault dev` data directory means dev's sandbox (while dev runs), and a dev
 * data directory whose dev is not running is refused, naming the variables that would say.
 */
export function pointAtDevSandbox(config: TelvaultConfig, env: NodeJS.ProcessEnv): void {
  if (env['TELVAULT_PROVIDERS'] !== undefined || env['TELVAULT_SANDBOX_URL'] !== undefined) return;
  const url = runningDevSandbox(config.dataDir);
  if (url !== undefined) {
    config.providers = 'sandbox';
    config.sandboxUrl = url;
    return;
  }
  if (existsSync(join(config.dataDir, DEV_MASTER_KEY_FILE))) {
    throw new TelvaultError(
      'ERR_CONFIG_INVALID',
      `${config.dataDir} is a \`telvault dev\` data directory and no \`telvault dev\` is running on it: start \`telvault dev\` (its sandbox is then used), or set TELVAULT_PROVIDERS=sandbox with TELVAULT_SANDBOX_URL (a running \`telvault sandbox\`), or TELVAULT_PROVIDERS=live for the real providers`,
    );
  }
}
