// A tenant token of tenant A sees nothing of tenant B in the console, whatever URL it is given:
// every page of B's by hash answers "Not found" without asking the API for anything of B's, and
// neither B's name, numbers nor account ids appear; the operator's pages are not found either.
import { describe, expect, it } from 'vitest';
import { newTwilioAccount } from '../trunks/support.js';
import {
  browserAvailable,
  expectAccessible,
  expectCleanRun,
  openConsole,
  screenshot,
  signIn,
  TENANT_PAGES,
  useConsoleStack,
} from './support.js';

describe.runIf(browserAvailable)('console: tenant isolation', () => {
  const stack = useConsoleStack();

  it("a tenant token of A cannot show anything of B's, by any URL", async () => {
    const { s, sb } = stack;
    const a = await s.createTenant('Alpha Co');
    const b = await s.createTenant('Bravo Hidden Co');
    const root = s.rootToken;
    const account = await newTwilioAccount(sb);
    const put = await s.request('PUT', `/v1/tenants/${b}/credentials/twilio`, {
      token: root,
      body: { accountSid: account.sid, authToken: account.authToken },
    });
    expect(put.status, put.text).toBe(200);
    const phone = await s.request('POST', `/v1/tenants/${b}/phones`, {
      token: root,
      body: { number: '+919812345678', provider: 'exotel', label: 'bravo-line' },
    });
    expect(phone.status, phone.text).toBe(201);
    const secret = await s.request('PUT', `/v1/tenants/${b}/secrets/bravo-secret-name`, {
      token: root,
      body: { value: 'bravo secret value' },
    });
    expect(secret.status, secret.text).toBe(200);
    await s.mintToken(b, ['phones:read']);
    const token = await s.mintToken(a, [
      'credentials:read',
      'credentials:write',
      'phones:read',
      'phones:write',
      'trunks:manage',
      'activity:read',
      'audit:read',
      'keys:read',
      'tokens:manage',
      'secrets:read',
      'settings:manage',
    ]);
    const bravo = ['Bravo Hidden Co', '9812345678', 'bravo-line', account.sid, 'bravo-secret-name'];

    const cp = await openConsole(stack, token);
    const { page } = cp;
    await page.getByRole('heading', { name: 'Providers · Alpha Co' }).waitFor();
    for (const p of TENANT_PAGES) {
      await cp.go(`#/tenants/${b}/${p}`);
      await page.getByRole('heading', { name: 'Not found', level: 1 }).waitFor();
      const text = await page.locator('body').innerText();
      const html = await page.content();
      for (const secret of bravo) {
        expect(text.includes(secret), `${p}: ${secret}`).toBe(false);
        expect(html.includes(secret), `${p}: ${secret}`).toBe(false);
      }
      // Its own pages are still there, in the menu, for A.
      expect(await page.getByRole('link', { name: 'Phones' }).getAttribute('href')).toBe(
        `#/tenants/${a}/phones`,
      );
    }
    await screenshot(page, 'isolation-not-found');
    await expectAccessible(page);
    for (const hash of ['#/tenants', '#/audit', `#/tenants/${b}/nothing`]) {
      await cp.go(hash);
      await page.getByRole('heading', { name: 'Not found', level: 1 }).waitFor();
    }
    // Nothing of B's was even asked for.
    const received = await cp.received();
    expect(received.filter((r) => r.url.includes(b)).map((r) => r.url)).toEqual([]);
    expect(received.some((r) => r.url.endsWith('/v1/tenants'))).toBe(false);
    for (const r of received)
      for (const secret of bravo) expect(r.body.includes(secret), r.url).toBe(false);
    // A's own pages work in the same session.
    await cp.go(`#/tenants/${a}/phones`);
    await page.getByRole('heading', { name: 'Phones · Alpha Co' }).waitFor();
    await expectCleanRun(cp);
    await cp.close();
  });

  it("signing in lands on the new principal's first page, never the last one's address", async () => {
    const { s } = stack;
    const a = await s.createTenant('Landing A');
    const b = await s.createTenant('Landing B');
    const tokenB = await s.mintToken(b, ['phones:read']);
    const cp = await openConsole(stack, s.rootToken);
    const { page } = cp;
    await cp.go(`#/tenants/${a}/tokens`);
    await page.getByRole('heading', { name: 'Tokens · Landing A' }).waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await signIn(page, tokenB);
    await page.getByRole('heading', { name: 'Phones · Landing B' }).waitFor();
    expect(new URL(page.url()).hash).toBe(`#/tenants/${b}/phones`);
    expect(await page.getByRole('heading', { name: 'Not found' }).count()).toBe(0);
    // And back: the operator starts on the tenants, not on B's phones.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await signIn(page, s.rootToken);
    await page.getByRole('heading', { name: 'Tenants', level: 1 }).waitFor();
    expect(new URL(page.url()).hash).toBe('#/tenants');
    await expectCleanRun(cp);
    await cp.close();
  });
});
