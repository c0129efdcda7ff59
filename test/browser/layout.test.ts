// The console's layout with awkward values and screens: a 390 px phone screen (the menu collapses
// behind a button, no page scrolls sideways, wide tables scroll in their own region), 200-character
// unbroken names and labels at 1,400 px (they wrap; the row actions stay in view), and a tenant
// name stored with U+202E (RIGHT-TO-LEFT OVERRIDE) before the API refused it: every place showing
// it isolates it, so it reverses only itself, never the text around it.
import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { TestServer } from '../support/server.js';
import {
  browserAvailable,
  expectAccessible,
  expectCleanRun,
  openConsole,
  screenshot,
  TENANT_PAGES,
  useConsoleStack,
} from './support.js';

const RLO = '\u202e';

/** The page does not scroll sideways at its window's width. */
async function expectNoSideScroll(page: Page): Promise<void> {
  const { scroll, inner } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    inner: window.innerWidth,
  }));
  expect(scroll, 'the page is wider than the window').toBeLessThanOrEqual(inner);
}

async function expectInView(page: Page, control: Locator): Promise<void> {
  const box = await control.boundingBox();
  const width = page.viewportSize()?.width ?? 0;
  expect(box, 'the control is rendered').not.toBeNull();
  expect(box?.x ?? -1).toBeGreaterThanOrEqual(0);
  expect((box?.x ?? 0) + (box?.width ?? 0)).toBeLessThanOrEqual(width);
}

/** Every table fits the window, or scrolls inside a region that does. */
async function expectTablesContained(page: Page): Promise<void> {
  const bad = await page.evaluate(() =>
    [...document.querySelectorAll('table')]
      .map((t) => {
        const box = t.parentElement?.getBoundingClientRect();
        const scrolls = ['auto', 'scroll'].includes(
          getComputedStyle(t.parentElement ?? t).overflowX,
        );
        const fits = t.getBoundingClientRect().right <= window.innerWidth;
        return (box?.right ?? Infinity) <= window.innerWidth && (fits || scrolls)
          ? null
          : t.outerHTML.slice(0, 80);
      })
      .filter((x) => x !== null),
  );
  expect(bad).toEqual([]);
}

/**
 * A name stored before the rule refusing bidi controls: the tenant is created through the API and
 * its name then written straight into the store, as an older version would have left it (the API
 * now refuses such a name, so it cannot be seeded through it).
 */
async function tenantNamedInStore(s: TestServer, name: string): Promise<string> {
  const id = await s.createTenant('Seeded Before The Rule');
  await s.server.database.db.updateTable('tenants').set({ name }).where('id', '=', id).execute();
  return id;
}

/**
 * Every text node holding the override is the stored value alone, in an element that isolates
 * it (a <bdi>, or `unicode-bidi: isolate`): no surrounding text shares its bidi run.
 */
async function expectIsolated(page: Page, name: string): Promise<void> {
  const found = await page.evaluate(
    ({ mark, value }) => {
      const bad: string[] = [];
      let count = 0;
      const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n !== null; n = walker.nextNode()) {
        if (!(n.nodeValue ?? '').includes(mark)) continue;
        count++;
        const el = n.parentElement;
        const isolated =
          el !== null &&
          (el.tagName === 'BDI' ||
            ['isolate', 'isolate-override', 'plaintext'].includes(
              getComputedStyle(el).unicodeBidi,
            ));
        if (n.nodeValue !== value || !isolated)
          bad.push(`${el?.tagName ?? '?'}: ${JSON.stringify(n.nodeValue)}`);
      }
      return { count, bad };
    },
    { mark: RLO, value: name },
  );
  expect(found.count).toBeGreaterThan(0);
  expect(found.bad).toEqual([]);
}

/**
 * In the delete dialog's label `Type "<name>" to confirm`, the quotes stay on either side of the
 * name on screen, and " to confirm" after the closing one (the override does not carry past it).
 */
async function expectQuotesAround(page: Page, name: string): Promise<void> {
  const g = await page.evaluate((value) => {
    const label = [...document.querySelectorAll('label')].find((l) =>
      (l.textContent ?? '').includes('to confirm'),
    );
    if (label === undefined) throw new Error('no confirm label');
    const nodes: Text[] = [];
    const walker = document.createTreeWalker(label, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n !== null; n = walker.nextNode()) nodes.push(n as Text);
    const flat = nodes.map((n) => n.data).join('');
    const rectAt = (i: number): DOMRect => {
      let o = i;
      for (const n of nodes) {
        if (o < n.data.length) {
          const r = document.createRange();
          r.setStart(n, o);
          r.setEnd(n, o + 1);
          return r.getBoundingClientRect();
        }
        o -= n.data.length;
      }
      throw new Error(`no character ${i}`);
    };
    const start = flat.indexOf(value);
    const end = start + value.length;
    const chars = [...Array(value.length).keys()]
      .map((k) => rectAt(start + k))
      .filter((r) => r.width > 0);
    return {
      open: rectAt(start - 1).right,
      nameLeft: Math.min(...chars.map((r) => r.left)),
      nameRight: Math.max(...chars.map((r) => r.right)),
      close: rectAt(end).left,
      after: rectAt(end + 2).left,
    };
  }, name);
  expect(g.open).toBeLessThanOrEqual(g.nameLeft + 0.5);
  expect(g.close).toBeGreaterThanOrEqual(g.nameRight - 0.5);
  expect(g.after).toBeGreaterThan(g.close);
}

describe.runIf(browserAvailable)('console: layout', () => {
  const stack = useConsoleStack();

  it('at 390 px the menu collapses, nothing scrolls sideways, tables scroll in their own group', async () => {
    const { s } = stack;
    const tenantId = await s.createTenant('Small Screen Co');
    await s.createTenant('Another Small Co');
    const token = await s.mintToken(tenantId, ['phones:read', 'phones:write']);
    const phone = await s.request('POST', `/v1/tenants/${tenantId}/phones`, {
      token,
      body: { number: '+919812345670', provider: 'exotel', label: 'narrow line', tags: ['a'] },
    });
    expect(phone.status, phone.text).toBe(201);
    const cp = await openConsole(stack, s.rootToken, { width: 390, height: 844 });
    const { page } = cp;
    await page.getByRole('heading', { name: 'Tenants', level: 1 }).waitFor();
    await page.getByRole('cell', { name: 'Small Screen Co', exact: true }).waitFor();
    const menu = page.getByRole('button', { name: 'Menu' });
    const audit = page.getByRole('link', { name: 'Operator audit' });
    expect(await menu.getAttribute('aria-expanded')).toBe('false');
    expect(await audit.isVisible()).toBe(false);
    await expectNoSideScroll(page);
    await expectTablesContained(page);
    await expectAccessible(page);
    await screenshot(page, 'narrow-tenants');
    await menu.click();
    expect(await menu.getAttribute('aria-expanded')).toBe('true');
    await audit.click();
    await page.getByRole('heading', { name: 'Operator audit', level: 1 }).waitFor();
    // Following a link closes the menu again.
    expect(await audit.isVisible()).toBe(false);
    await expectNoSideScroll(page);
    // Every page of a tenant fits the phone's width too.
    for (const p of TENANT_PAGES) {
      await cp.go(`#/tenants/${tenantId}/${p}`);
      await page
        .getByRole('heading', { level: 1 })
        .filter({ hasText: 'Small Screen Co' })
        .waitFor();
      await expect.poll(() => page.getByText('Loading…').count()).toBe(0);
      await expectNoSideScroll(page);
      await expectTablesContained(page);
    }
    await cp.close();

    const tp = await openConsole(stack, token, { width: 390, height: 844 });
    await tp.page.getByRole('heading', { name: 'Phones · Small Screen Co' }).waitFor();
    await tp.page.getByRole('row').filter({ hasText: 'narrow line' }).waitFor();
    await expectNoSideScroll(tp.page);
    await expectTablesContained(tp.page);
    await expectAccessible(tp.page);
    await screenshot(tp.page, 'narrow-phones');
    await expectCleanRun(tp);
    await tp.close();
  });

  it('200-character unbroken values wrap: the page fits 1,400 px, the row actions stay in view', async () => {
    const { s } = stack;
    const long = 'Unbroken'.repeat(25);
    const label = 'LabelWithoutSpaces'.repeat(12).slice(0, 200);
    const tenantId = await s.createTenant(long);
    const token = await s.mintToken(tenantId, ['phones:read', 'phones:write']);
    const phone = await s.request('POST', `/v1/tenants/${tenantId}/phones`, {
      token,
      body: { number: '+919812345671', provider: 'exotel', label },
    });
    expect(phone.status, phone.text).toBe(201);
    const cp = await openConsole(stack, s.rootToken, { width: 1400, height: 900 });
    const { page } = cp;
    await page.getByRole('cell', { name: long, exact: true }).waitFor();
    await expectNoSideScroll(page);
    await expectInView(page, page.getByRole('button', { name: `Delete ${long}`, exact: true }));
    await expectInView(page, page.getByRole('link', { name: `Tokens of ${long}`, exact: true }));
    await screenshot(page, 'long-tenants');
    await cp.close();

    const tp = await openConsole(stack, token, { width: 1400, height: 900 });
    await tp.page.getByRole('heading', { name: `Phones · ${long}` }).waitFor();
    const row = tp.page.getByRole('row').filter({ hasText: label });
    await row.waitFor();
    await expectNoSideScroll(tp.page);
    await expectInView(tp.page, row.getByRole('button', { name: 'Delete +919812345671' }));
    await expectInView(tp.page, row.getByRole('button', { name: 'Edit +919812345671' }));
    await screenshot(tp.page, 'long-phones');
    await expectCleanRun(tp);
    await tp.close();
  });

  it('a stored name with U+202E reverses only itself: list, picker and delete dialog', async () => {
    const { s } = stack;
    const name = `safe${RLO}gnp.exe`;
    const id = await tenantNamedInStore(s, name);
    const cp = await openConsole(stack, s.rootToken);
    const { page } = cp;
    await page.getByRole('heading', { name: 'Tenants', level: 1 }).waitFor();
    await page.getByRole('cell', { name, exact: true }).waitFor();
    // The list and the tenant picker.
    await expectIsolated(page, name);
    expect(await page.locator(`#tenant-pick option[value="${id}"]`).count()).toBe(1);
    // The delete dialog: heading, the label with its quotes, the typed confirmation.
    await page.getByRole('button', { name: `Delete ${name}`, exact: true }).click();
    await page.getByRole('heading', { name: `Delete tenant ${name}` }).waitFor();
    await expectIsolated(page, name);
    await expectQuotesAround(page, name);
    await expectAccessible(page);
    await screenshot(page, 'bidi-delete');
    // The tenant's own pages: the menu's title and the page heading.
    await cp.go(`#/tenants/${id}/phones`);
    await page.getByRole('heading', { name: `Phones · ${name}` }).waitFor();
    await expectIsolated(page, name);
    await expectCleanRun(cp);
    await cp.close();
  });
});
