// Named secrets in the console: create (a refused name shown at its field), list masked, replace,
// reveal with `secrets:reveal` (the value shown once: gone after "Hide", after leaving the page,
// after the page's 30 s), delete after a confirmation. No typed or revealed value is ever kept in
// storage, history or the URL; a typed one is gone from the page once sent.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  api,
  backgroundOf,
  browserAvailable,
  DANGER_BACKGROUND,
  expectAccessible,
  expectCleanRun,
  expectSecretGone,
  expectSecretNotKept,
  expectTabReaches,
  openConsole,
  screenshot,
  SECONDARY_BACKGROUND,
  useConsoleStack,
} from './support.js';

const canary = (): string => `canary-${randomBytes(12).toString('hex')}`;
/** The page's REVEAL_MS (src/web/pages/secrets-page.tsx), and a second more. */
const PAST_REVEAL_MS = 31_000;

describe.runIf(browserAvailable)('console: named secrets', () => {
  const stack = useConsoleStack();

  it('creates, replaces, reveals once, and deletes a secret; no value is kept', async () => {
    const { s } = stack;
    const tenantId = await s.createTenant('Secret Co');
    const token = await s.mintToken(tenantId, ['secrets:read', 'secrets:write', 'secrets:reveal']);
    const cp = await openConsole(stack, token);
    const { page } = cp;
    // A tenant token lands on its first page: Secrets, for these scopes.
    await page.getByRole('heading', { name: 'Secrets · Secret Co' }).waitFor();
    const create = page.getByRole('region', { name: 'Create a secret' });
    await expectTabReaches(page, 'section[aria-labelledby="secret-create"]');

    // A name the API refuses: the rule at the Name field; the typed value is cleared even so.
    const refused = canary();
    await create.getByLabel('Name').fill('has space');
    await create.getByLabel('Value').fill(refused);
    await create.getByRole('button', { name: 'Create secret' }).click();
    const nameInput = create.getByLabel('Name');
    await expect.poll(() => nameInput.getAttribute('aria-invalid')).toBe('true');
    const errorId =
      ((await nameInput.getAttribute('aria-describedby')) ?? '').split(' ').pop() ?? '';
    expect(await page.locator(`[id="${errorId}"]`).textContent()).toMatch(/^must be 1 to 128/);
    expect(await create.getByLabel('Value').inputValue()).toBe('');
    await expectSecretGone(cp, refused);

    const first = canary();
    await create.getByLabel('Name').fill('db-password');
    await create.getByLabel('Value').fill(first);
    await create.getByRole('button', { name: 'Create secret' }).click();
    await page.getByRole('status').filter({ hasText: 'Secret db-password saved.' }).waitFor();
    const row = page.getByRole('row').filter({ hasText: 'db-password' });
    await expect.poll(() => row.textContent()).toContain(`set · …${first.slice(-4)}`);
    await expectSecretGone(cp, first);

    // Replace.
    const second = canary();
    await row.getByRole('button', { name: 'Replace db-password' }).click();
    const replace = page.getByRole('region', { name: 'Replace db-password' });
    await replace.getByLabel('New value').fill(second);
    await replace.getByRole('button', { name: 'Save db-password' }).click();
    await page.getByRole('status').filter({ hasText: 'Secret db-password replaced.' }).waitFor();
    await expect.poll(() => row.textContent()).toContain(`set · …${second.slice(-4)}`);
    await expectSecretGone(cp, second);
    expect(await replace.count()).toBe(0);

    // Reveal: shown once, then gone after "Hide".
    await row.getByRole('button', { name: 'Reveal db-password' }).click();
    const shown = page.getByTestId('revealed-value');
    expect(await shown.textContent()).toBe(second);
    await expectSecretNotKept(cp, second);
    await expectAccessible(page);
    await screenshot(page, 'secrets-revealed');
    await page.getByRole('button', { name: 'Hide' }).click();
    expect(await shown.count()).toBe(0);
    await expectSecretGone(cp, second, { revealedBy: '/reveal' });

    // Gone when the page is left, and not back when it is opened again.
    await row.getByRole('button', { name: 'Reveal db-password' }).click();
    await shown.waitFor();
    await cp.go(`#/tenants/${tenantId}/nothing`);
    await page.getByRole('heading', { name: 'Not found' }).waitFor();
    await expectSecretGone(cp, second, { revealedBy: '/reveal' });
    await cp.go(`#/tenants/${tenantId}/secrets`);
    await row.waitFor();
    expect(await shown.count()).toBe(0);

    // Gone by itself after the page's time (the page's clock, moved on: no waiting).
    await page.clock.install();
    await row.getByRole('button', { name: 'Reveal db-password' }).click();
    await shown.waitFor();
    await page.clock.fastForward(PAST_REVEAL_MS);
    await expect.poll(() => shown.count()).toBe(0);
    await expectSecretGone(cp, second, { revealedBy: '/reveal' });

    // Delete, asked twice: the first button looks secondary, the confirmation danger.
    const del = row.getByRole('button', { name: 'Delete db-password' });
    expect(await backgroundOf(del)).toBe(SECONDARY_BACKGROUND);
    await del.click();
    const confirm = row.getByRole('button', { name: 'Confirm delete db-password' });
    expect(await backgroundOf(confirm)).toBe(DANGER_BACKGROUND);
    await confirm.click();
    await page.getByRole('status').filter({ hasText: 'Secret db-password deleted.' }).waitFor();
    expect((await api(s, 'GET', `/v1/tenants/${tenantId}/secrets/db-password`, token)).status).toBe(
      404,
    );
    await page.getByText('No secrets yet.').waitFor();
    await expectAccessible(page);
    await screenshot(page, 'secrets');
    await expectCleanRun(cp);
    await cp.close();
  });

  it('the root token manages secrets but is not offered a reveal', async () => {
    const { s } = stack;
    const tenantId = await s.createTenant('Root Secrets Co');
    const put = await s.request('PUT', `/v1/tenants/${tenantId}/secrets/api-key`, {
      token: s.rootToken,
      body: { value: canary() },
    });
    expect(put.status, put.text).toBe(200);
    const cp = await openConsole(stack, s.rootToken);
    const { page } = cp;
    await cp.go(`#/tenants/${tenantId}/secrets`);
    const row = page.getByRole('row').filter({ hasText: 'api-key' });
    await row.waitFor();
    expect(await row.getByRole('button', { name: 'Reveal api-key' }).count()).toBe(0);
    expect(await row.getByRole('button', { name: 'Replace api-key' }).count()).toBe(1);
    await expectCleanRun(cp);
    await cp.close();
  });
});
