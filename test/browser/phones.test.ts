// Phones in the console (a tenant token): import a number typed nationally with its country and
// its own Exotel account, see it in the list and through the API, filter, find by number, verify
// the Exotel account at the sandbox, edit (label, a replaced Exotel account), delete. The Exotel
// key and token typed are gone after each save.
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
  expectTabReaches,
  openConsole,
  screenshot,
  SECONDARY_BACKGROUND,
  useConsoleStack,
} from './support.js';

interface PhoneJson {
  id: string;
  number: string;
  label: string | null;
  exotel: { sid: string; apiKey: { set: boolean; last4?: string } } | null;
}

describe.runIf(browserAvailable)('console: phones', () => {
  const stack = useConsoleStack();

  it('imports, lists, filters, finds, verifies, edits and deletes a phone', async () => {
    const { s, sb } = stack;
    const ex = sb.seed.exotel?.accounts?.[0];
    if (ex === undefined) throw new Error('the sandbox seed has an Exotel account');
    const tenantId = await s.createTenant('Phone Co');
    const token = await s.mintToken(tenantId, ['phones:read', 'phones:write']);
    const cp = await openConsole(stack, token);
    const { page } = cp;
    await page.getByRole('heading', { name: 'Phones · Phone Co' }).waitFor();
    const form = page.getByRole('region', { name: 'Import a phone' });
    await form.getByLabel('This phone has its own Exotel account').check();
    await expectTabReaches(page, 'section[aria-labelledby="phone-import-heading"]');
    await form.getByLabel('Number').fill('98765 43210');
    await form.getByLabel('Country').fill('IN');
    await form.getByLabel('Provider').selectOption('exotel');
    await form.getByLabel('Label').fill('Support line');
    await form.getByLabel('Tags').fill('support, in');
    await form.getByLabel('Exotel API key').fill(ex.apiKey);
    await form.getByLabel('Exotel API token').fill(ex.apiToken);
    await form.getByLabel('Exotel account SID').fill(ex.sid);
    await form.getByLabel('Exotel API host').selectOption(ex.host);
    await form.getByRole('button', { name: 'Import phone' }).click();
    await page.getByRole('status').filter({ hasText: 'Phone +919876543210 imported.' }).waitFor();
    await expectSecretGone(cp, ex.apiKey);
    await expectSecretGone(cp, ex.apiToken);
    const row = page.getByRole('row').filter({ hasText: '+919876543210' });
    await row.waitFor();
    expect(await row.textContent()).toContain(`key set · …${ex.apiKey.slice(-4)}`);
    // The number type in words, not the API's constant.
    expect(await row.textContent()).toContain('IN · mobile');
    expect(await row.textContent()).not.toContain('MOBILE');
    const found = await api<PhoneJson>(s, 'POST', `/v1/tenants/${tenantId}/phones/lookup`, token, {
      number: '+91 98765 43210',
    });
    expect(found.status).toBe(200);
    expect(found.json).toMatchObject({ label: 'Support line', exotel: { sid: ex.sid } });
    const phoneId = found.json.id;
    await expectAccessible(page);
    await screenshot(page, 'phones');

    // Its own Exotel account, checked at Exotel (the sandbox).
    await row.getByRole('button', { name: 'Verify Exotel account of +919876543210' }).click();
    await expect.poll(() => page.getByTestId('exotel-verify').textContent()).toContain('accepted');

    // Filters: another provider shows nothing, the tag shows it again.
    const filters = page.getByRole('form', { name: 'Filter phones' });
    await filters.getByLabel('Provider').selectOption('twilio');
    await filters.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByText('No phones match.').waitFor();
    await filters.getByLabel('Provider').selectOption('');
    await filters.getByLabel('Tag').fill('support');
    await filters.getByRole('button', { name: 'Apply filters' }).click();
    await row.waitFor();

    // Find by number, in another format.
    const find = page.getByRole('region', { name: 'Find by number' });
    await find.getByLabel('Number').fill('+91-98765-43210');
    await find.getByRole('button', { name: 'Find' }).click();
    await expect.poll(() => page.getByTestId('found-phone').textContent()).toContain(phoneId);

    // Edit: the label, and a replaced Exotel account whose typed secrets vanish once saved.
    await row.getByRole('button', { name: 'Edit +919876543210' }).click();
    const edit = page.getByRole('region', { name: 'Edit +919876543210' });
    await edit.getByLabel('Label').fill('Main line');
    await edit.getByRole('button', { name: 'Replace Exotel account' }).click();
    const newKey = `key-${randomBytes(12).toString('hex')}`;
    const newToken = `tok-${randomBytes(12).toString('hex')}`;
    await edit.getByLabel('Exotel API key').fill(newKey);
    await edit.getByLabel('Exotel API token').fill(newToken);
    await edit.getByRole('button', { name: 'Save phone' }).click();
    await page.getByRole('status').filter({ hasText: 'Phone +919876543210 saved.' }).waitFor();
    await expectSecretGone(cp, newKey);
    await expectSecretGone(cp, newToken);
    const after = await api<PhoneJson>(
      s,
      'GET',
      `/v1/tenants/${tenantId}/phones/${phoneId}`,
      token,
    );
    expect(after.json.label).toBe('Main line');
    expect(after.json.exotel?.apiKey.last4).toBe(newKey.slice(-4));

    // Delete, confirmed.
    // Nothing is destroyed by the first button: it looks secondary; the confirmation looks danger.
    const del = row.getByRole('button', { name: 'Delete +919876543210' });
    expect(await backgroundOf(del)).toBe(SECONDARY_BACKGROUND);
    await del.click();
    const confirmDelete = row.getByRole('button', { name: 'Confirm delete +919876543210' });
    expect(await backgroundOf(confirmDelete)).toBe(DANGER_BACKGROUND);
    await confirmDelete.click();
    await page.getByRole('status').filter({ hasText: 'Phone +919876543210 deleted.' }).waitFor();
    expect((await api(s, 'GET', `/v1/tenants/${tenantId}/phones/${phoneId}`, token)).status).toBe(
      404,
    );
    await expectCleanRun(cp);
    await cp.close();
  });
});
