// Keys in the console: a tenant token with keys:read sees the key versions, states and rows per
// key (and is offered no rotation: the API keeps that to the root token); the root token starts a
// data-key rotation and the page follows it live until the new version is primary and the old one
// retired, as the API then shows.
import { describe, expect, it } from 'vitest';
import {
  api,
  browserAvailable,
  expectAccessible,
  expectCleanRun,
  expectTabReaches,
  openConsole,
  screenshot,
  useConsoleStack,
} from './support.js';

interface KeysJson {
  dataKeys: { version: number; state: string; rows: number }[];
  rotation: unknown;
}

describe.runIf(browserAvailable)('console: keys', () => {
  const stack = useConsoleStack();

  it('shows versions and rows, and follows a rotation to its end', async () => {
    const { s } = stack;
    const tenantId = await s.createTenant('Keyed Co');
    const writer = await s.mintToken(tenantId, ['secrets:write']);
    for (let i = 0; i < 5; i++) {
      const r = await s.request('PUT', `/v1/tenants/${tenantId}/secrets/k${i}`, {
        token: writer,
        body: { value: `sealed-value-${i}` },
      });
      expect(r.status, r.text).toBeLessThan(300);
    }
    const before = await api<KeysJson>(s, 'GET', `/v1/tenants/${tenantId}/keys`, s.rootToken);
    const v1 = before.json.dataKeys.find((k) => k.version === 1);
    expect(v1?.rows).toBeGreaterThanOrEqual(5);

    // A tenant token with keys:read: the table, no rotation form.
    const reader = await s.mintToken(tenantId, ['keys:read']);
    const cp = await openConsole(stack, reader);
    await cp.page.getByRole('heading', { name: 'Keys · Keyed Co' }).waitFor();
    const dataRow = cp.page.getByTestId('keys-data').getByRole('row').filter({ hasText: 'v1' });
    await dataRow.waitFor();
    expect(await dataRow.textContent()).toContain(`primary${v1?.rows ?? ''}`);
    expect(await cp.page.getByRole('button', { name: 'Start rotation' }).count()).toBe(0);
    await expectAccessible(cp.page);
    await expectCleanRun(cp);
    await cp.close();

    // The root token rotates; the page shows the rotation while it runs, then the new state.
    const root = await openConsole(stack, s.rootToken);
    const { page } = root;
    await root.go(`#/tenants/${tenantId}/keys`);
    await page.getByRole('heading', { name: 'Keys · Keyed Co' }).waitFor();
    await expectTabReaches(page, 'section[aria-labelledby="keys-rotate"]');
    await page.getByLabel('Key', { exact: true }).selectOption('data');
    await page.getByRole('button', { name: 'Start rotation' }).click();
    const progress = page.getByTestId('key-rotation');
    await progress.waitFor();
    expect(await progress.textContent()).toMatch(/data key → v2: (pending|running)/);
    await screenshot(page, 'keys-rotating');
    await progress.waitFor({ state: 'detached', timeout: 30_000 });
    const v2Row = page.getByTestId('keys-data').getByRole('row').filter({ hasText: 'v2' });
    await expect.poll(() => v2Row.textContent()).toContain('primary');
    const v1Row = page.getByTestId('keys-data').getByRole('row').filter({ hasText: 'v1' });
    expect(await v1Row.textContent()).toContain('retired');
    const after = await api<KeysJson>(s, 'GET', `/v1/tenants/${tenantId}/keys`, s.rootToken);
    expect(after.json.rotation).toBeNull();
    expect(after.json.dataKeys.find((k) => k.version === 2)).toMatchObject({
      state: 'primary',
      rows: v1?.rows,
    });
    expect(after.json.dataKeys.find((k) => k.version === 1)).toMatchObject({
      state: 'retired',
      rows: 0,
    });
    await expectAccessible(page);
    await screenshot(page, 'keys');
    await expectCleanRun(root);
    await root.close();
  });
});
