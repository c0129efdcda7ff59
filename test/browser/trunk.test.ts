// The SIP trunk in the console (a tenant token with trunks:manage): set up a trunk with the
// tenant's Twilio credentials, check it live, repair Retell numbers that lack their SIP auth with the dry run's table first and then the real run, rotate the SIP password with
// its progress, buy a number onto the trunk; each seen through the API and the sandbox as well.
// Adopting a trunk made elsewhere takes its credential's password, which is gone once sent.
import { describe, expect, it } from 'vitest';
import {
  foreignTrunk,
  numbersOnTrunk,
  outboundCheck,
  trunkTenant,
  withRetell,
} from '../trunks/support.js';
import {
  api,
  browserAvailable,
  expectAccessible,
  expectCleanRun,
  expectSecretGone,
  expectTabReaches,
  openConsole,
  screenshot,
  useConsoleStack,
} from './support.js';

interface TrunkJson {
  state: string;
  trunkSid: string;
  domainName: string;
  credential: { username: string; origin: string } | null;
}

describe.runIf(browserAvailable)('console: SIP trunk', () => {
  const stack = useConsoleStack();

  it('sets up, checks live, repairs after a dry run, rotates the password, buys a number', async () => {
    const { s, sb } = stack;
    const t = await trunkTenant(s, sb, 'Trunk Co');
    const retellKey = await withRetell(s, sb, t.tenantId, t.token);
    const token = await s.mintToken(t.tenantId, ['trunks:manage', 'phones:read', 'phones:write']);
    const cp = await openConsole(stack, token);
    const { page } = cp;
    await cp.go(`#/tenants/${t.tenantId}/trunk`);
    await page.getByText('This tenant has no SIP trunk yet.').waitFor();
    await page.getByRole('button', { name: 'Set up trunk' }).click();
    await expect.poll(() => page.getByTestId('trunk-state').textContent()).toBe('ready');
    const view = await api<TrunkJson>(s, 'GET', `/v1/tenants/${t.tenantId}/trunk`, token);
    expect(view.json.state).toBe('ready');
    expect(await page.locator('main').textContent()).toContain(view.json.trunkSid);

    // Checked live against Twilio and Retell: what telvault made is as recorded.
    await page.getByRole('button', { name: 'Check live' }).click();
    await expect.poll(() => page.getByTestId('drift').textContent()).toContain('No drift');

    // Numbers put on the trunk elsewhere with an empty SIP username (the field reports' bug).
    const broken = await numbersOnTrunk(sb, t.account, retellKey, view.json, 2);

    // Repair: the dry run's table first (nothing changed at Retell), then the real run.
    const repair = page.getByRole('region', { name: 'Repair Retell numbers' });
    await repair.getByRole('button', { name: 'Dry run' }).click();
    const dry = repair.getByTestId('repair-dry-run');
    await dry.waitFor();
    for (const n of broken) {
      expect(await dry.getByRole('row').filter({ hasText: n }).textContent()).toContain(
        'would-fix',
      );
      expect((await outboundCheck(sb, n)).ok).toBe(false);
    }
    await screenshot(page, 'trunk-dry-run');
    await repair.getByRole('button', { name: 'Repair 2 numbers' }).click();
    const done = repair.getByTestId('repair-result');
    await done.waitFor();
    expect(await done.textContent()).toContain('2 fixed');
    for (const n of broken) expect((await outboundCheck(sb, n)).ok).toBe(true);

    // Rotate the SIP password: its progress, then the numbers authenticate with the new one.
    const rotate = page.getByRole('region', { name: 'Rotate the SIP password' });
    await rotate.getByRole('button', { name: 'Rotate SIP password' }).click();
    await page.getByRole('status').filter({ hasText: 'SIP password rotated.' }).waitFor();
    expect(await rotate.getByTestId('job-progress').textContent()).toContain('done');
    for (const n of broken) expect((await outboundCheck(sb, n)).ok).toBe(true);

    // Buy a number onto the trunk.
    const numbers = page.getByRole('region', { name: 'Numbers on the trunk' });
    await expectTabReaches(page, 'section[aria-labelledby="trunk-numbers"]');
    await numbers.getByLabel('Label').fill('bought in the console');
    await numbers.getByRole('button', { name: 'Buy number' }).click();
    await page.getByText(/^Bought \+1\d+ onto the trunk\.$/).waitFor();
    const phones = await api<{
      phones: { number: string; label: string; twilio: { onTrunk: boolean } | null }[];
    }>(s, 'GET', `/v1/tenants/${t.tenantId}/phones`, token);
    const bought = phones.json.phones.find((p) => p.label === 'bought in the console');
    expect(bought?.twilio?.onTrunk).toBe(true);
    await expect
      .poll(() => numbers.getByTestId('trunk-number-list').textContent())
      .toContain(bought?.number ?? '-');
    await expectAccessible(page);
    await screenshot(page, 'trunk');
    await expectCleanRun(cp);
    await cp.close();
  });

  it('adopts a trunk made elsewhere; the typed password is gone once sent', async () => {
    const { s, sb } = stack;
    const t = await trunkTenant(s, sb, 'Adopting Co');
    await withRetell(s, sb, t.tenantId, t.token);
    const made = await foreignTrunk(sb, t.account, { origination: 'sip:sip.retellai.com' });
    const credential = made.credentials[0];
    if (credential === undefined) throw new Error('the foreign trunk has a credential');
    const cp = await openConsole(stack, s.rootToken);
    const { page } = cp;
    await cp.go(`#/tenants/${t.tenantId}/trunk`);
    const adopt = page.getByRole('form', { name: 'Adopt an existing trunk' });
    await adopt.getByLabel('Trunk SID').fill(made.trunkSid);
    await adopt.getByLabel('Credential SID').fill(credential.sid);
    await adopt.getByLabel('Credential password').fill(credential.password);
    await adopt.getByRole('button', { name: 'Adopt trunk' }).click();
    await expect.poll(() => page.getByTestId('trunk-state').textContent()).toBe('ready');
    await expectSecretGone(cp, credential.password);
    const view = await api<TrunkJson>(s, 'GET', `/v1/tenants/${t.tenantId}/trunk`, s.rootToken);
    expect(view.json).toMatchObject({ state: 'ready', trunkSid: made.trunkSid });
    expect(view.json.credential).toMatchObject({
      username: credential.username,
      origin: 'adopted',
    });
    await expectCleanRun(cp);
    await cp.close();
  });
});
