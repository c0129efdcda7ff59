// Provider credentials in the console: each provider's form saves through the API, shows the
// API's validation error at its field, shows a stored secret only as "set · …1234" with Replace,
// and verifies against the provider (the sandbox). A canary typed into every secret field is gone
// after saving: from the DOM, every input's value, storage, history and every answer received.
import { randomBytes } from 'node:crypto';
import type { Locator } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { newTwilioAccount } from '../trunks/support.js';
import {
  api,
  browserAvailable,
  expectAccessible,
  expectCleanRun,
  expectSecretGone,
  expectTabReaches,
  openConsole,
  screenshot,
  type ConsolePage,
  useConsoleStack,
} from './support.js';

const hex = (n: number): string => randomBytes(n).toString('hex');

async function saved(cp: ConsolePage, form: Locator, title: string): Promise<void> {
  await form.getByRole('button', { name: `Save ${title}` }).click();
  await form
    .getByRole('status')
    .filter({ hasText: `${title} credentials saved.` })
    .waitFor();
}

async function verified(form: Locator, title: string): Promise<string> {
  await form.getByRole('button', { name: `Verify ${title}` }).click();
  const result = form.getByTestId('verify-result');
  await result.waitFor();
  return (await result.textContent()) ?? '';
}

describe.runIf(browserAvailable)('console: providers', () => {
  const stack = useConsoleStack();

  it('saves, masks and verifies each provider; no typed secret survives a save', async () => {
    const { s, sb } = stack;
    const seed = sb.seed;
    const tenantId = await s.createTenant('Provider Co');
    const account = await newTwilioAccount(sb);
    const cp = await openConsole(stack, s.rootToken);
    const { page } = cp;
    await cp.go(`#/tenants/${tenantId}/providers`);
    await page.getByRole('heading', { name: 'Providers · Provider Co' }).waitFor();
    const twilio = page.getByRole('region', { name: 'Twilio' });
    await expectTabReaches(page, 'section[aria-labelledby="provider-twilio"]');

    // The API's refusal at its field; the typed token is sent once and cleared even so.
    const refusedToken = hex(16);
    await twilio.getByLabel('Account SID').fill('AC123');
    await twilio.getByLabel('Auth token').fill(refusedToken);
    await twilio.getByRole('button', { name: 'Save Twilio' }).click();
    const sidInput = twilio.getByLabel('Account SID');
    await expect.poll(() => sidInput.getAttribute('aria-invalid')).toBe('true');
    const errorId =
      ((await sidInput.getAttribute('aria-describedby')) ?? '').split(' ').pop() ?? '';
    expect(await page.locator(`[id="${errorId}"]`).textContent()).toMatch(/must/);
    expect(await twilio.getByLabel('Auth token').inputValue()).toBe('');
    await expectSecretGone(cp, refusedToken);
    await screenshot(page, 'providers-error');

    await twilio.getByLabel('Account SID').fill(account.sid);
    await twilio.getByLabel('Auth token').fill(account.authToken);
    await saved(cp, twilio, 'Twilio');
    await expect
      .poll(() => twilio.textContent())
      .toContain(`set · …${account.authToken.slice(-4)}`);
    await expectSecretGone(cp, account.authToken);
    expect(await verified(twilio, 'Twilio')).toContain('Twilio accepted the credentials.');
    const stored = await api<{ accountSid: string; authToken: { set: boolean; last4: string } }>(
      s,
      'GET',
      `/v1/tenants/${tenantId}/credentials/twilio`,
      s.rootToken,
    );
    expect(stored.json).toMatchObject({
      accountSid: account.sid,
      authToken: { set: true, last4: account.authToken.slice(-4) },
    });

    // An API key pair beside it, then the auth token replaced: each typed secret gone once saved.
    const keySecret = `ks-${hex(16)}`;
    await twilio.getByLabel('API key SID').fill(`SK${hex(16)}`);
    await twilio.getByLabel('API key secret').fill(keySecret);
    await saved(cp, twilio, 'Twilio');
    await expectSecretGone(cp, keySecret);
    const replacement = hex(16);
    await twilio.getByRole('button', { name: 'Replace Auth token' }).click();
    await twilio.getByLabel('Auth token').fill(replacement);
    await saved(cp, twilio, 'Twilio');
    await expect.poll(() => twilio.textContent()).toContain(`set · …${replacement.slice(-4)}`);
    await expectSecretGone(cp, replacement);

    const sendgrid = page.getByRole('region', { name: 'SendGrid' });
    const sgKey = seed.sendgrid?.apiKeys?.[0] ?? '';
    await sendgrid.getByLabel('API key').fill(sgKey);
    await sendgrid.getByLabel('From address').fill(seed.sendgrid?.verifiedSenders?.[0] ?? '');
    await saved(cp, sendgrid, 'SendGrid');
    await expectSecretGone(cp, sgKey);
    expect(await verified(sendgrid, 'SendGrid')).toContain('Sender: verified.');

    const retell = page.getByRole('region', { name: 'Retell' });
    const retellKey = seed.retell?.apiKeys?.[0] ?? '';
    const webhookKey = `wh-${hex(16)}`;
    await retell.getByLabel('API key').fill(retellKey);
    await retell.getByLabel('Webhook key').fill(webhookKey);
    await saved(cp, retell, 'Retell');
    await expectSecretGone(cp, retellKey);
    await expectSecretGone(cp, webhookKey);
    expect(await verified(retell, 'Retell')).toContain('Retell accepted the credentials.');

    const exotel = page.getByRole('region', { name: 'Exotel' });
    const ex = seed.exotel?.accounts?.[0];
    await exotel.getByLabel('API key').fill(ex?.apiKey ?? '');
    await exotel.getByLabel('API token').fill(ex?.apiToken ?? '');
    await exotel.getByLabel('Account SID').fill(ex?.sid ?? '');
    await exotel.getByLabel('API host').selectOption(ex?.host ?? '');
    await saved(cp, exotel, 'Exotel');
    await expectSecretGone(cp, ex?.apiKey ?? '');
    await expectSecretGone(cp, ex?.apiToken ?? '');
    expect(await verified(exotel, 'Exotel')).toContain('Exotel accepted the credentials.');

    const all = await api<{ credentials: { provider: string }[] }>(
      s,
      'GET',
      `/v1/tenants/${tenantId}/credentials`,
      s.rootToken,
    );
    expect(all.json.credentials.map((c) => c.provider).sort()).toEqual([
      'exotel',
      'retell',
      'sendgrid',
      'twilio',
    ]);
    await expectAccessible(page);
    await screenshot(page, 'providers');
    await expectCleanRun(cp);
    await cp.close();
  });
});
