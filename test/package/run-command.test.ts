// The README's run command starts the built server directly: `npm start` is `node bin/telvault.js
// dev` (no build step in it: `npm install` built dist/ through `prepare`), and it serves.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  scripts: Record<string, string>;
};

/** A port free right now on 127.0.0.1. */
async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

describe("the README's run command", () => {
  it('is `npm install && npm start`, and `start` runs the built CLI without building', () => {
    const block = /## Two commands[\s\S]*?```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    const run = block.split('\n')[0] ?? '';
    expect(run).toMatch(/^npm install && npm start\s+#/);
    expect(pkg.scripts['start']).toBe('node bin/telvault.js dev');
  });

  it('starts telvault dev from the build and serves', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'telvault-start-'));
    const port = await freePort();
    const child = spawn('npm', ['start', '--silent'], {
      cwd: root,
      env: {
        PATH: process.env['PATH'],
        HOME: process.env['HOME'],
        TELVAULT_DATA_DIR: dataDir,
        TELVAULT_PORT: String(port),
        TELVAULT_LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    try {
      await new Promise<void>((resolve, reject) => {
        const t = setInterval(() => {
          if (/root token tvr_/.test(out)) resolve();
        }, 50);
        child.on('exit', (code) => reject(new Error(`npm start exited with ${code}: ${out}`)));
        child.on('error', reject);
        t.unref();
      });
      expect(out).toContain(`API        http://127.0.0.1:${port}`);
      expect(out).not.toMatch(/tsc|vite/);
      const r = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(r.status).toBe(200);
    } finally {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGTERM');
      await new Promise((r) => (child.exitCode === null ? child.on('exit', r) : r(null)));
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
