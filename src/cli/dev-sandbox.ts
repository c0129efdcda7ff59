// The provider sandbox `telvault dev` mounts: seeded from `sandbox-seed.json` in the data directory
// (generated on first run, mode 0600, reused afterwards, so credentials stored from it keep working
// across restarts), admin surface on (development only), on its own loopback port.
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createSandboxApp, type SandboxApp } from '../sandbox/sandbox-app.js';
import { generateSandboxSeed, parseSandboxSeed, type SandboxSeed } from '../sandbox/seed.js';

export const DEV_SANDBOX_SEED_FILE = 'sandbox-seed.json';

export interface DevSandboxSeed {
  seed: SandboxSeed;
  path: string;
  created: boolean;
}

/** Reads the dev sandbox's seed from `dataDir`, or generates and writes one (mode 0600). */
export function prepareDevSandboxSeed(dataDir: string): DevSandboxSeed {
  const path = join(dataDir, DEV_SANDBOX_SEED_FILE);
  if (!existsSync(path)) {
    const seed = generateSandboxSeed();
    writeFileSync(path, `${JSON.stringify(seed, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    chmodSync(path, 0o600);
    return { seed, path, created: true };
  }
  // It holds sandbox secrets only, but a developer may paste real-looking keys into it.
  if ((statSync(path).mode & 0o077) !== 0) {
    throw new Error(`${path} is readable by other users: chmod 600 it`);
  }
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    throw new Error(`${path} is not valid JSON (delete it to generate a new seed)`);
  }
  return { seed: parseSandboxSeed(json), path, created: false };
}

export interface DevSandbox {
  url: string;
  seedPath: string;
  seedCreated: boolean;
  close(): Promise<void>;
}

/** Starts the seeded sandbox, admin surface on, on 127.0.0.1 and a free port. */
export async function startDevSandbox(dataDir: string): Promise<DevSandbox> {
  const { seed, path, created } = prepareDevSandboxSeed(dataDir);
  const { app }: SandboxApp = createSandboxApp({ seed, admin: true });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return { url, seedPath: path, seedCreated: created, close: () => app.close() };
}
