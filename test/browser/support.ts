// The admin console in a real browser: Debian's Chromium driven by playwright-core, against a real
// telvault server (SQLite, the provider sandbox) serving a console built from src/web for this
// test file. One browser and one server per file; each test opens its own browser context (no
// storage shared between tests) and records what the page received and any CSP violation.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  chromium,
  type Browser,
  type BrowserContext,
  type Locator,
  type Page,
} from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import { startTestSandbox, type TestSandbox } from '../support/sandbox.js';
import { startTestServer, type StartOptions, type TestServer } from '../support/server.js';

export const CHROMIUM = '/usr/bin/chromium';

/** Every page a tenant has in the console (`#/tenants/<id>/<page>`), as the router lists them. */
export const TENANT_PAGES = [
  'providers',
  'secrets',
  'settings',
  'phones',
  'trunk',
  'activity',
  'audit',
  'keys',
  'tokens',
] as const;
const installed = existsSync(CHROMIUM);
if (!installed && process.env['CI'] !== 'true') {
  console.warn(`SKIPPING the browser tests: no Chromium at ${CHROMIUM} (apt-get install chromium)`);
}
/** Under CI=true the tests always run: a missing Chromium fails them instead of skipping. */
export const browserAvailable = installed || process.env['CI'] === 'true';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const ARTIFACTS = join(ROOT, 'artifacts', 'console');

/** The policy every console answer must carry, written out here, not imported from the server. */
export const EXPECTED_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
  "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/** Builds the console from src/web into a temp dir (what `npm run build` does into dist/web). */
export async function buildConsole(): Promise<string> {
  const outDir = mkdtempSync(join(tmpdir(), 'telvault-console-'));
  const { build } = await import('vite');
  await build({
    configFile: join(ROOT, 'vite.web.config.ts'),
    logLevel: 'error',
    build: { outDir, emptyOutDir: true },
  });
  return outDir;
}

export interface ConsoleStack {
  readonly s: TestServer;
  readonly sb: TestSandbox;
  readonly browser: Browser;
  /** The built console's directory. */
  readonly dir: string;
}

/** Call at the top of a test file: a sandbox, a server serving a fresh console build, a browser. */
export function useConsoleStack(opts: StartOptions = {}): ConsoleStack {
  let s: TestServer | undefined;
  let sb: TestSandbox | undefined;
  let browser: Browser | undefined;
  let dir: string | undefined;
  beforeAll(async () => {
    dir = await buildConsole();
    sb = await startTestSandbox();
    s = await startTestServer('sqlite', {
      ...opts,
      consoleDir: dir,
      config: { providers: 'sandbox', sandboxUrl: sb.url, ...opts.config },
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await s?.close();
    await sb?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });
  const started = <T>(v: T | undefined): T => {
    if (v === undefined) throw new Error('the console stack starts in beforeAll');
    return v;
  };
  return {
    get s() {
      return started(s);
    },
    get sb() {
      return started(sb);
    },
    get browser() {
      return started(browser);
    },
    get dir() {
      return started(dir);
    },
  };
}

export interface Received {
  url: string;
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface ConsolePage {
  page: Page;
  context: BrowserContext;
  /** Every response the page received (bodies read in full). */
  received(): Promise<Received[]>;
  /** Every `securitypolicyviolation` the page saw. */
  violations(): Promise<string[]>;
  /** Navigates within the console by hash and waits for the page's h1. */
  go(hash: string): Promise<void>;
  close(): Promise<void>;
}

declare global {
  interface Window {
    __cspViolations?: string[];
  }
}

/** A new context and page on /console, signed in with `token` (undefined: left at sign-in). */
export async function openConsole(
  stack: ConsoleStack,
  token: string | undefined,
  viewport: { width: number; height: number } = { width: 1280, height: 900 },
): Promise<ConsolePage> {
  const context = await stack.browser.newContext({ viewport });
  // Recorded from the first script on: the listener is added before the console's own code runs.
  await context.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__cspViolations?.push(`${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  const page = await context.newPage();
  const pending: Promise<Received>[] = [];
  page.on('response', (r) => {
    pending.push(
      (async () => ({
        url: r.url(),
        status: r.status(),
        headers: await r.allHeaders(),
        body: await r.text().catch(() => ''),
      }))(),
    );
  });
  await page.goto(`${stack.s.url}/console`);
  await page.getByRole('heading', { name: 'Sign in to the telvault console' }).waitFor();
  if (token !== undefined) await signIn(page, token);
  return {
    page,
    context,
    received: () => Promise.all(pending),
    violations: () => page.evaluate(() => window.__cspViolations ?? []),
    async go(hash) {
      await page.evaluate((h) => {
        window.location.hash = h;
      }, hash);
      await page.locator('main h1').first().waitFor();
    },
    close: () => context.close(),
  };
}

export async function signIn(page: Page, token: string): Promise<void> {
  await page.getByLabel('Token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

/**
 * What every console page must hold to: each answer from /console carries the CSP and the other
 * headers, and the page saw no CSP violation.
 */
export async function expectCleanRun(cp: ConsolePage): Promise<void> {
  const received = await cp.received();
  const consoleAnswers = received.filter((r) => new URL(r.url).pathname.startsWith('/console'));
  expect(consoleAnswers.length).toBeGreaterThan(0);
  for (const r of consoleAnswers) {
    expect(r.headers['content-security-policy'], r.url).toBe(EXPECTED_CSP);
    expect(r.headers['referrer-policy'], r.url).toBe('no-referrer');
    expect(r.headers['x-content-type-options'], r.url).toBe('nosniff');
  }
  expect(await cp.violations()).toEqual([]);
}

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[] }[];
}

/**
 * axe-core on the page as it is: no serious or critical violation. Injected through the
 * debugging protocol (page.evaluate), which the page's CSP does not govern, so the check itself
 * causes no violation.
 */
export async function expectAccessible(page: Page): Promise<void> {
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: { run: (ctx: Document) => Promise<{ violations: AxeViolation[] }> };
      }
    ).axe;
    const r = await axe.run(document);
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => JSON.stringify(n.target)),
    }));
  });
  const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(bad).toEqual([]);
}

/** A full-page screenshot in artifacts/console/ (ignored by git), to look at. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/**
 * Keyboard only: from the top of the page, Tab reaches every control in `scope` (a CSS selector
 * of the region holding the page's main job), in a bounded number of presses.
 */
export async function expectTabReaches(page: Page, scope: string): Promise<void> {
  const count = await page.evaluate((sel) => {
    const root = document.querySelector(sel);
    if (root === null) throw new Error(`no ${sel}`);
    const controls = [
      ...root.querySelectorAll<HTMLElement>('input, select, textarea, button, a[href]'),
    ].filter((el) => !(el as HTMLButtonElement).disabled && el.getClientRects().length > 0);
    controls.forEach((el, i) => el.setAttribute('data-kb', String(i)));
    (document.activeElement as HTMLElement | null)?.blur();
    return controls.length;
  }, scope);
  expect(count).toBeGreaterThan(0);
  const reached = new Set<string>();
  await page.evaluate(() => document.body.focus());
  for (let i = 0; i < 400 && reached.size < count; i++) {
    await page.keyboard.press('Tab');
    const kb = await page.evaluate(() => document.activeElement?.getAttribute('data-kb') ?? null);
    if (kb !== null) reached.add(kb);
  }
  const missed = await page.evaluate(
    (seen) =>
      [...document.querySelectorAll('[data-kb]')]
        .filter((el) => !seen.includes(el.getAttribute('data-kb') ?? ''))
        .map((el) => el.outerHTML.slice(0, 120)),
    [...reached],
  );
  expect(missed).toEqual([]);
  await page.evaluate(() =>
    document.querySelectorAll('[data-kb]').forEach((el) => el.removeAttribute('data-kb')),
  );
}

async function whereKept(cp: ConsolePage) {
  return cp.page.evaluate(() => ({
    html: document.documentElement.outerHTML,
    values: [...document.querySelectorAll('input, textarea, select')].map(
      (el) => (el as HTMLInputElement).value,
    ),
    local: JSON.stringify({ ...localStorage }),
    session: JSON.stringify({ ...sessionStorage }),
    history: JSON.stringify(history.state ?? null),
    url: location.href,
  }));
}

/** A secret on screen is only there: not in storage, history state or the URL. */
export async function expectSecretNotKept(cp: ConsolePage, canary: string): Promise<void> {
  const seen = await whereKept(cp);
  expect(seen.local.includes(canary), 'in localStorage').toBe(false);
  expect(seen.session.includes(canary), 'in sessionStorage').toBe(false);
  expect(seen.history.includes(canary), 'in history state').toBe(false);
  expect(seen.url.includes(canary), 'in the URL').toBe(false);
}

/**
 * A secret typed into the console is nowhere once saved: not in the DOM (attributes included),
 * not in any control's value, not in storage or history state, not in any answer the page got
 * (but the answers of `revealedBy`, a path ending, which carry it by design).
 */
export async function expectSecretGone(
  cp: ConsolePage,
  canary: string,
  opts: { revealedBy?: string } = {},
): Promise<void> {
  const seen = await whereKept(cp);
  expect(seen.html.includes(canary), 'in the DOM').toBe(false);
  expect(
    seen.values.filter((v) => v.includes(canary)),
    'in a control value',
  ).toEqual([]);
  await expectSecretNotKept(cp, canary);
  const received = await cp.received();
  const revealedBy = opts.revealedBy;
  expect(
    received
      .filter((r) => revealedBy === undefined || !new URL(r.url).pathname.endsWith(revealedBy))
      .filter((r) => r.body.includes(canary))
      .map((r) => r.url),
  ).toEqual([]);
}

/** The console's two button looks, as computed: secondary (white) until a destruction is confirmed. */
export const SECONDARY_BACKGROUND = 'rgb(255, 255, 255)';
export const DANGER_BACKGROUND = 'rgb(179, 38, 30)';

export async function backgroundOf(control: Locator): Promise<string> {
  return control.evaluate((el) => getComputedStyle(el).backgroundColor);
}

/** The API, as the console's journeys check what they did. */
export async function api<T>(
  s: TestServer,
  method: string,
  path: string,
  token: string,
  body?: unknown,
): Promise<{ status: number; json: T }> {
  const r = await s.request(method, path, { token, ...(body === undefined ? {} : { body }) });
  return { status: r.status, json: r.json as T };
}
