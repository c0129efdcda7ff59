// Serving the console: the page and its hashed assets with their content types and caching, the
// CSP and the other headers on every console answer (refusals too), no traversal out of the
// build, a clear 503 when there is no build; in the browser, sign-in with the root token and a
// tenant token, sign-out forgetting the token, and a page that runs under its CSP.
import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startTestServer } from '../support/server.js';
import {
  browserAvailable,
  EXPECTED_CSP,
  expectAccessible,
  expectCleanRun,
  expectTabReaches,
  openConsole,
  screenshot,
  signIn,
  useConsoleStack,
} from './support.js';

function expectConsoleHeaders(h: Headers): void {
  expect(h.get('content-security-policy')).toBe(EXPECTED_CSP);
  expect(h.get('referrer-policy')).toBe('no-referrer');
  expect(h.get('x-content-type-options')).toBe('nosniff');
}

/** GET with the path sent exactly as written (fetch would resolve `..` before sending). */
function rawGet(
  base: string,
  path: string,
): Promise<{ status: number; headers: Headers; text: string }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ hostname, port, path, method: 'GET' }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => {
        const headers = new Headers();
        for (const [k, v] of Object.entries(res.headers))
          if (typeof v === 'string') headers.set(k, v);
        resolve({ status: res.statusCode ?? 0, headers, text });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

describe.runIf(browserAvailable)('the console is served', () => {
  const stack = useConsoleStack();

  it('serves the page and its assets with types, caching and the security headers', async () => {
    const { s } = stack;
    for (const path of ['/console', '/console/']) {
      const r = await fetch(`${s.url}${path}`);
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(r.headers.get('cache-control')).toBe('no-cache');
      expectConsoleHeaders(r.headers);
      const html = await r.text();
      // No inline script or style: every script and stylesheet is a file of the build.
      expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
      expect(html).not.toMatch(/<style|style=/);
      const again = await fetch(`${s.url}${path}`, {
        headers: { 'if-none-match': r.headers.get('etag') ?? '' },
      });
      expect(again.status).toBe(304);
      expectConsoleHeaders(again.headers);
    }
    const html = await (await fetch(`${s.url}/console`)).text();
    const assets = [...html.matchAll(/(?:src|href)="(\/console\/assets\/[^"]+)"/g)].map(
      (m) => m[1],
    );
    expect(assets.some((a) => a?.endsWith('.js'))).toBe(true);
    expect(assets.some((a) => a?.endsWith('.css'))).toBe(true);
    for (const a of assets) {
      const r = await fetch(`${s.url}${a ?? ''}`);
      expect(r.status, a).toBe(200);
      expect(r.headers.get('content-type')).toBe(
        a?.endsWith('.js') ? 'text/javascript; charset=utf-8' : 'text/css; charset=utf-8',
      );
      expect(r.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expectConsoleHeaders(r.headers);
    }
    // The API keeps its own caching.
    expect((await fetch(`${s.url}/healthz`)).headers.get('cache-control')).toBe('no-store');
  });

  it('answers nothing outside the build, with the headers on every refusal', async () => {
    const { s } = stack;
    const attempts = [
      '/console/assets/..%2f..%2fpackage.json',
      '/console/assets/%2e%2e%2findex.html',
      '/console/assets/../../package.json',
      '/console/assets/nothing.js',
      '/console/index.html',
      '/console/assets/',
      '/console/elsewhere/deep',
    ];
    for (const path of attempts) {
      const r = await rawGet(s.url, path);
      expect(r.status, path).toBeGreaterThanOrEqual(400);
      expect(r.text).not.toContain('"name": "telvault"');
      expectConsoleHeaders(r.headers);
    }
    const post = await s.request('POST', '/console');
    expect(post.status).toBe(405);
    expectConsoleHeaders(post.headers);
  });

  it('signs in with the root token, runs under the CSP, and signs out forgetting the token', async () => {
    const cp = await openConsole(stack, undefined);
    const { page } = cp;
    await expectAccessible(page);
    await screenshot(page, 'sign-in');
    await expectTabReaches(page, 'main');
    // A wrong token: the API's refusal, shown as it is.
    await page.getByLabel('Token').fill('tvk_not_a_real_token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('ERR_AUTH_INVALID');
    await signIn(page, stack.s.rootToken);
    await page.getByRole('heading', { name: 'Tenants', level: 1 }).waitFor();
    expect(await page.getByTestId('who').textContent()).toBe('Operator (root token)');
    // The token is in no storage, cookie, URL or history state, and not in the page.
    const kept = await page.evaluate(() => ({
      local: JSON.stringify({ ...localStorage }),
      session: JSON.stringify({ ...sessionStorage }),
      cookie: document.cookie,
      html: document.documentElement.outerHTML,
      url: location.href,
      history: JSON.stringify(history.state),
    }));
    for (const [where, text] of Object.entries(kept))
      expect(text.includes(stack.s.rootToken), where).toBe(false);
    expect(await cp.context.cookies()).toEqual([]);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to the telvault console' }).waitFor();
    // Signed out: the next API call the console would make has no token to send.
    await page.evaluate(() => {
      window.location.hash = '#/tenants';
    });
    await expect
      .poll(() => page.getByRole('heading', { level: 1 }).textContent())
      .toBe('Sign in to the telvault console');
    await expectCleanRun(cp);
    await cp.close();
  });

  it('a tenant token signs in to its own tenant, offered only what its scopes allow', async () => {
    const { s } = stack;
    const tenantId = await s.createTenant('Scoped Co');
    const token = await s.mintToken(tenantId, ['phones:read', 'audit:read']);
    const cp = await openConsole(stack, token);
    const { page } = cp;
    await page.getByRole('heading', { name: 'Phones · Scoped Co' }).waitFor();
    const nav = page.getByRole('navigation', { name: 'Console' });
    expect(await nav.getByRole('link').allTextContents()).toEqual(['Phones', 'Audit']);
    // Not offered, and not shown when asked for by URL: no import form without phones:write.
    expect(await page.getByRole('button', { name: 'Import phone' }).count()).toBe(0);
    await cp.go(`#/tenants/${tenantId}/providers`);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Not found');
    await cp.go('#/tenants');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Not found');
    await expectCleanRun(cp);
    await cp.close();
  });
});

describe('a server without a console build', () => {
  it('answers /console with a clear 503, not a crash', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'telvault-noconsole-'));
    const s = await startTestServer('sqlite', { consoleDir: empty });
    try {
      const r = await s.request('GET', '/console');
      expect(r.status).toBe(503);
      expect(r.text).toContain('npm run build');
      expect(r.headers.get('content-type')).toBe('text/plain; charset=utf-8');
      expectConsoleHeaders(r.headers);
      expect((await s.request('GET', '/console/assets/index.js')).status).toBe(404);
      expect((await s.request('GET', '/healthz')).status).toBe(200);
    } finally {
      await s.close();
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
