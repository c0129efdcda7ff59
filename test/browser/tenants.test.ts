// Tenants and tokens in the console (root token): create a tenant and see it through the API;
// mint a token with scopes (shown once, usable at once, gone from the page after "Done"), list,
// revoke it (the API then refuses it); delete a tenant with a typed confirmation, and the API's
// refusal for a tenant that still has a SIP trunk shown as it is.
import { describe, expect, it } from 'vitest';
import { trunkTenant } from '../trunks/support.js';
import {
  api,
  backgroundOf,
  browserAvailable,
  DANGER_BACKGROUND,
  expectAccessible,
  expectCleanRun,
  expectTabReaches,
  openConsole,
  screenshot,
  SECONDARY_BACKGROUND,
  useConsoleStack,
} from './support.js';

describe.runIf(browserAvailable)('console: tenants and tokens', () => {
  const stack = useConsoleStack();

  it('creates a tenant, mints a token shown once, revokes it', async () => {
    const { s } = stack;
    const cp = await openConsole(stack, s.rootToken);
    const { page } = cp;
    await page.getByRole('heading', { name: 'Tenants', level: 1 }).waitFor();
    await expectTabReaches(page, 'section[aria-labelledby="tenant-create"]');
    await page.getByLabel('Name').fill('Acme Voice');
    await page.getByLabel('External id').fill('acme-42');
    await page.getByRole('button', { name: 'Create tenant' }).click();
    await page.getByRole('status').filter({ hasText: 'Tenant Acme Voice created.' }).waitFor();
    const listed = await api<{ tenants: { id: string; name: string; externalId: string }[] }>(
      s,
      'GET',
      '/v1/tenants',
      s.rootToken,
    );
    const acme = listed.json.tenants.find((t) => t.name === 'Acme Voice');
    expect(acme?.externalId).toBe('acme-42');
    const tenantId = acme?.id ?? '';
    await page.getByRole('cell', { name: 'Acme Voice', exact: true }).waitFor();
    await expectAccessible(page);
    await screenshot(page, 'tenants');

    // A validation error, at its field: the API's own rule.
    await page.getByLabel('Name').fill('Bad Id Co');
    await page.getByLabel('External id').fill('has spaces in it');
    await page.getByRole('button', { name: 'Create tenant' }).click();
    const externalId = page.getByLabel('External id');
    await expect.poll(() => externalId.getAttribute('aria-invalid')).toBe('true');
    const describedBy = (await externalId.getAttribute('aria-describedby')) ?? '';
    const fieldError = await page
      .locator(`[id="${describedBy.split(' ').pop() ?? ''}"]`)
      .textContent();
    expect(fieldError).toMatch(/must/);

    // Tokens of the tenant.
    await page.getByRole('link', { name: 'Tokens of Acme Voice' }).click();
    await page.getByRole('heading', { name: 'Tokens · Acme Voice' }).waitFor();
    await expectTabReaches(page, 'section[aria-labelledby="token-mint"]');
    await page.getByLabel('Name').fill('support desk');
    await page.getByLabel('phones:read').check();
    await page.getByLabel('credentials:read').check();
    await page.getByRole('button', { name: 'Mint token' }).click();
    const shown = page.getByTestId('new-token');
    await shown.waitFor();
    const token = (await shown.textContent()) ?? '';
    expect(token).toMatch(/^tvk_/);
    await expectAccessible(page);
    await screenshot(page, 'tokens');
    // Usable at once, with exactly the scopes chosen.
    const who = await api<{ kind: string; tenantId: string; scopes: string[] }>(
      s,
      'GET',
      '/v1/token',
      token,
    );
    expect(who.json).toMatchObject({
      kind: 'tenant',
      tenantId,
      scopes: ['credentials:read', 'phones:read'],
    });
    await page.getByRole('button', { name: 'Done' }).click();
    await page.getByRole('status').filter({ hasText: 'Token support desk created.' }).waitFor();
    expect(await page.content()).not.toContain(token);
    // Listed (never its value), then revoked: the API refuses it from then on.
    await page.getByRole('cell', { name: 'support desk', exact: true }).waitFor();
    await page.getByRole('button', { name: 'Revoke support desk' }).click();
    await page.getByRole('button', { name: 'Confirm revoke support desk' }).click();
    await page.getByRole('status').filter({ hasText: 'Token support desk revoked.' }).waitFor();
    expect((await api(s, 'GET', `/v1/tenants/${tenantId}/phones`, token)).status).toBe(401);
    expect(await page.content()).not.toContain(token);
    await expectCleanRun(cp);
    await cp.close();
  });

  it('deletes a tenant after a typed confirmation; a refusal is shown as the API words it', async () => {
    const { s, sb } = stack;
    // A tenant with a SIP trunk: the API refuses to delete it without force.
    const busy = await trunkTenant(s, sb, 'Trunked Co');
    const put = await s.request('PUT', `/v1/tenants/${busy.tenantId}/trunk`, {
      token: busy.token,
      body: {},
    });
    expect(put.status, put.text).toBe(200);
    const plainId = await s.createTenant('Short Lived');
    const cp = await openConsole(stack, s.rootToken);
    const { page } = cp;
    // The row's Delete destroys nothing (it opens the typed confirmation): it looks secondary.
    const rowDelete = page.getByRole('button', { name: 'Delete Trunked Co', exact: true });
    expect(await backgroundOf(rowDelete)).toBe(SECONDARY_BACKGROUND);
    await rowDelete.click();
    const confirm = page.getByLabel('Type "Trunked Co" to confirm');
    const del = page.getByRole('button', { name: 'Delete tenant' });
    expect(await del.isDisabled()).toBe(true);
    expect(await backgroundOf(del)).toBe(DANGER_BACKGROUND);
    await confirm.fill('Trunked C');
    expect(await del.isDisabled()).toBe(true);
    await confirm.fill('Trunked Co');
    await del.click();
    await expect
      .poll(() => page.getByRole('alert').textContent())
      .toContain('ERR_TENANT_HAS_PROVIDER_RESOURCES');
    expect((await api(s, 'GET', `/v1/tenants/${busy.tenantId}`, s.rootToken)).status).toBe(200);
    await expectAccessible(page);
    await screenshot(page, 'tenants-delete-refused');
    await page.getByRole('button', { name: 'Cancel' }).click();

    await page.getByRole('button', { name: 'Delete Short Lived', exact: true }).click();
    await page.getByLabel('Type "Short Lived" to confirm').fill('Short Lived');
    await page.getByRole('button', { name: 'Delete tenant' }).click();
    await page.getByRole('status').filter({ hasText: 'Tenant Short Lived deleted.' }).waitFor();
    expect((await api(s, 'GET', `/v1/tenants/${plainId}`, s.rootToken)).status).toBe(404);
    await expect
      .poll(() => page.getByRole('cell', { name: 'Short Lived', exact: true }).count())
      .toBe(0);
    await expectCleanRun(cp);
    await cp.close();
  });
});
