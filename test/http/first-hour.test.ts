// The first things a new user tries: `telvault --version` (and `-V`) prints the package's version;
// `GET /` answers an index of where things are, and sends a browser on to the console.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliWithEnv } from '../support/cli.js';
import { startTestServer, type TestServer } from '../support/server.js';

const { version } = JSON.parse(
  readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
) as { version: string };

describe('the first hour', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer('sqlite', { logLevel: 'warn' });
  });
  afterAll(() => s.close());

  it.each(['--version', '-V'])('telvault %s prints the version', async (flag) => {
    const r = await runCliWithEnv([flag], {});
    expect(r.code).toBe(0);
    expect(r.out.trim()).toBe(version);
  });

  it('GET / answers an index; a browser is sent to the console', async () => {
    const r = await s.request('GET', '/');
    expect(r.status, r.text).toBe(200);
    expect(r.json).toEqual({
      name: 'telvault',
      version,
      console: '/console',
      openapi: '/openapi.json',
      health: '/healthz',
      ready: '/readyz',
    });
    const browser = await fetch(`${s.url}/`, {
      headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' },
      redirect: 'manual',
    });
    expect(browser.status).toBe(302);
    expect(browser.headers.get('location')).toBe('/console');
    await browser.body?.cancel();
  });
});
