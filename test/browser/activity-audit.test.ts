// Activity and audit in the console. A tenant's calls, messages and emails (placed through the
// API at the sandbox) appear with their status and the same records the API lists; the audit page
// pages through the tenant's events, filters by action, and shows the chain check's answer, as the
// operator's page does for the operator stream.
import { describe, expect, it } from 'vitest';
import { commsTenant, indianMobile } from '../comms/support.js';
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

describe.runIf(browserAvailable)('console: activity and audit', () => {
  const stack = useConsoleStack();

  it('shows the calls, messages and emails the API lists, with their status', async () => {
    const { s, sb } = stack;
    const t = await commsTenant(s, sb, 'Activity Co');
    const base = `/v1/tenants/${t.tenantId}`;
    const sms = await api<{ id: string; status: string }>(s, 'POST', `${base}/messages`, t.token, {
      to: '+14155550160',
      body: 'your code is 4411',
    });
    expect(sms.status).toBe(201);
    const mail = await api(s, 'POST', `${base}/emails`, t.token, {
      to: ['ana@example.org'],
      subject: 'Welcome aboard',
      text: 'hello',
    });
    expect(mail.status).toBe(201);
    const destination = indianMobile();
    const call = await api<{ id: string; status: string; to: string }>(
      s,
      'POST',
      `${base}/calls`,
      t.token,
      {
        fromPhoneId: t.phones.exotel,
        to: destination,
      },
    );
    expect(call.status).toBe(201);

    const cp = await openConsole(stack, t.token);
    const { page } = cp;
    await cp.go(`#/tenants/${t.tenantId}/activity`);
    await page.getByRole('heading', { name: 'Activity · Activity Co' }).waitFor();
    const calls = page.getByRole('region', { name: 'Calls' });
    const messages = page.getByRole('region', { name: 'Messages' });
    const emails = page.getByRole('region', { name: 'Emails' });
    const callRow = calls.getByRole('row').filter({ hasText: call.json.to });
    await callRow.waitFor();
    expect(await callRow.textContent()).toContain(call.json.status);
    const smsRow = messages.getByRole('row').filter({ hasText: 'your code is 4411' });
    await smsRow.waitFor();
    expect(await smsRow.textContent()).toContain(sms.json.status);
    await emails.getByRole('row').filter({ hasText: 'Welcome aboard' }).waitFor();
    // The same records as the API's lists.
    for (const [kind, region] of [
      ['calls', calls],
      ['messages', messages],
      ['emails', emails],
    ] as const) {
      const listed = await api<Record<string, { id: string }[]>>(
        s,
        'GET',
        `${base}/${kind}`,
        t.token,
      );
      expect(await region.locator('tbody tr').count()).toBe(listed.json[kind]?.length);
    }
    // A status filter that matches nothing, then none again.
    await calls.getByLabel('Calls: status').fill('no-such-status');
    await calls.getByRole('button', { name: 'Filter calls' }).click();
    await calls.getByText('No calls yet.').waitFor();
    await calls.getByLabel('Calls: status').fill(call.json.status);
    await calls.getByRole('button', { name: 'Filter calls' }).click();
    await callRow.waitFor();
    await expectTabReaches(page, 'section[aria-labelledby="activity-calls"]');
    await expectAccessible(page);
    await screenshot(page, 'activity');
    await expectCleanRun(cp);
    await cp.close();
  });

  it('pages and filters a tenant audit log, checks its chain, and the operator stream', async () => {
    const { s } = stack;
    const tenantId = await s.createTenant('Audited Co');
    const writer = await s.mintToken(tenantId, ['secrets:write']);
    // 60 events: more than one page of 50.
    for (let i = 0; i < 60; i++) {
      const r = await s.request('PUT', `/v1/tenants/${tenantId}/secrets/s${i}`, {
        token: writer,
        body: { value: `value-number-${i}` },
      });
      expect(r.status, r.text).toBeLessThan(300);
    }
    const token = await s.mintToken(tenantId, ['audit:read']);
    const cp = await openConsole(stack, token);
    const { page } = cp;
    await page.getByRole('heading', { name: 'Audit · Audited Co' }).waitFor();
    const events = page.getByRole('region', { name: 'Events' });
    await events.locator('tbody tr').first().waitFor();
    expect(await events.locator('tbody tr').count()).toBe(50);
    await events.getByRole('button', { name: 'Next page' }).click();
    await expect.poll(() => events.locator('tbody tr').count()).toBeLessThan(50);
    const all = await api<{ events: { action: string }[] }>(
      s,
      'GET',
      `/v1/tenants/${tenantId}/audit?limit=500`,
      token,
    );
    expect(50 + (await events.locator('tbody tr').count())).toBe(all.json.events.length);
    await events.getByRole('button', { name: 'Previous page' }).click();
    await expect.poll(() => events.locator('tbody tr').count()).toBe(50);
    // The action filter: only token mints (two: the writer and this one).
    await events.getByLabel('Action').fill('token.create');
    await events.getByRole('button', { name: 'Filter events' }).click();
    const minted = all.json.events.filter((e) => e.action === 'token.create').length;
    await expect.poll(() => events.locator('tbody tr').count()).toBe(minted);
    // The chain check, as the API answers it.
    await page.getByRole('button', { name: 'Check the chain' }).click();
    await expect
      .poll(() => page.getByTestId('chain-result').textContent())
      .toContain('The chain is intact');
    const verify = await api<{ ok: boolean; events: number }>(
      s,
      'POST',
      `/v1/tenants/${tenantId}/audit/verify`,
      token,
    );
    expect(verify.json.ok).toBe(true);
    expect(await page.getByTestId('chain-result').textContent()).toContain(
      `${verify.json.events} events`,
    );
    await expectTabReaches(page, 'main');
    await expectAccessible(page);
    await screenshot(page, 'audit');
    await expectCleanRun(cp);
    await cp.close();

    // The operator stream, for the root token.
    const op = await openConsole(stack, s.rootToken);
    await op.go('#/audit');
    await op.page.getByRole('heading', { name: 'Operator audit' }).waitFor();
    await op.page
      .getByRole('region', { name: 'Events' })
      .getByRole('cell', { name: 'tenant.create', exact: true })
      .first()
      .waitFor();
    await op.page.getByRole('button', { name: 'Check the chain' }).click();
    await expect
      .poll(() => op.page.getByTestId('chain-result').textContent())
      .toContain('The chain is intact');
    await expectAccessible(op.page);
    await screenshot(op.page, 'operator-audit');
    await expectCleanRun(op);
    await op.close();
  });
});
