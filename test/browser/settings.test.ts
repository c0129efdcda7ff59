// Tenant settings in the console (a token with settings:manage): the defaults shown with the
// number types in words, the API's refusals each at its own field (nothing stored), then a change
// of every setting seen through the API, and the limits reset to the defaults.
import type { Locator, Page } from 'playwright-core';
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

interface SettingsJson {
  defaultCountry: string | null;
  allowedNumberTypes: string[];
  allowedDestinationCountries: string[] | null;
  exotelFallbackToTenant: boolean;
  limits: Record<
    'calls' | 'messages',
    {
      perCaller: { points: number; windowSeconds: number };
      perDestination: { points: number; windowSeconds: number }[];
    }
  >;
  updatedAt: string | null;
}

/** The error text a control (an input, or a fieldset) is described by. */
async function errorOf(page: Page, control: Locator): Promise<string> {
  const id = ((await control.getAttribute('aria-describedby')) ?? '').split(' ').pop() ?? '';
  return id === '' ? '' : ((await page.locator(`[id="${id}"]`).textContent()) ?? '');
}

describe.runIf(browserAvailable)('console: tenant settings', () => {
  const stack = useConsoleStack();

  it('shows the defaults, puts each refusal at its field, saves and resets', async () => {
    const { s } = stack;
    const tenantId = await s.createTenant('Settings Co');
    const token = await s.mintToken(tenantId, ['settings:manage']);
    const read = async (): Promise<SettingsJson> =>
      (await api<SettingsJson>(s, 'GET', `/v1/tenants/${tenantId}/settings`, token)).json;
    const cp = await openConsole(stack, token);
    const { page } = cp;
    // Its first page, for this token.
    await page.getByRole('heading', { name: 'Settings · Settings Co' }).waitFor();
    await page.getByText('Never changed: the defaults apply.').waitFor();
    const types = page.getByRole('group', { name: 'Allowed number types' });
    expect(await types.getByLabel('mobile or fixed line').isChecked()).toBe(true);
    expect(await types.getByLabel('premium rate').isChecked()).toBe(false);
    expect(await page.locator('main').innerText()).not.toMatch(/FIXED_LINE|PREMIUM_RATE/);
    expect(await page.getByLabel('Calls per caller: points').inputValue()).toBe('30');
    await expectTabReaches(page, 'section[aria-labelledby="settings-form"]');

    // Four refusals in one answer, each at its own field; nothing stored.
    await page.getByLabel('Default country').fill('ZZ');
    await page.getByLabel('Destination countries').fill('AU, ZZ');
    await page.getByLabel('Calls per caller: points').fill('0');
    for (const box of await types.getByRole('checkbox').all())
      if (await box.isChecked()) await box.uncheck();
    await page.getByRole('button', { name: 'Save settings' }).click();
    const country = page.getByLabel('Default country');
    await expect.poll(() => country.getAttribute('aria-invalid')).toBe('true');
    expect(await errorOf(page, country)).toMatch(/^must be an ISO 3166 alpha-2 region/);
    const destinations = page.getByLabel('Destination countries');
    expect(await destinations.getAttribute('aria-invalid')).toBe('true');
    expect(await errorOf(page, destinations)).toMatch(/^must be an ISO 3166 alpha-2 region/);
    const points = page.getByLabel('Calls per caller: points');
    expect(await points.getAttribute('aria-invalid')).toBe('true');
    expect(await errorOf(page, points)).toBe('must be a whole number from 1 to 100000');
    expect(await errorOf(page, types)).toBe('must list at least one number type');
    expect((await read()).updatedAt).toBeNull();
    await expectAccessible(page);
    await screenshot(page, 'settings-errors');

    // Every setting changed, as the API then shows them.
    await country.fill('au');
    await destinations.fill('AU, NZ');
    await points.fill('10');
    await types.getByLabel('mobile', { exact: true }).check();
    await types.getByLabel('mobile or fixed line').check();
    await page.getByLabel('Messages per destination 1: points').fill('5');
    await page
      .getByLabel(
        "Exotel phones without an account of their own use the tenant's Exotel credentials",
      )
      .check();
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByRole('status').filter({ hasText: 'Settings saved.' }).waitFor();
    const saved = await read();
    expect(saved).toMatchObject({
      defaultCountry: 'AU',
      allowedNumberTypes: ['MOBILE', 'FIXED_LINE_OR_MOBILE'],
      allowedDestinationCountries: ['AU', 'NZ'],
      exotelFallbackToTenant: true,
    });
    expect(saved.limits.calls.perCaller).toEqual({ points: 10, windowSeconds: 60 });
    expect(saved.limits.messages.perDestination[0]).toEqual({ points: 5, windowSeconds: 600 });
    expect(await country.getAttribute('aria-invalid')).toBeNull();
    expect(await country.inputValue()).toBe('AU');

    await page.getByRole('button', { name: 'Reset limits to the defaults' }).click();
    await page.getByRole('status').filter({ hasText: 'Limits reset to the defaults.' }).waitFor();
    const reset = await read();
    expect(reset.limits.calls.perCaller).toEqual({ points: 30, windowSeconds: 60 });
    expect(reset.limits.messages.perDestination[0]).toEqual({ points: 3, windowSeconds: 600 });
    expect(reset.defaultCountry).toBe('AU');
    expect(await points.inputValue()).toBe('30');
    await expectAccessible(page);
    await screenshot(page, 'settings');
    await expectCleanRun(cp);
    await cp.close();
  });
});
