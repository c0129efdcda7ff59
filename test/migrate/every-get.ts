// Every GET of the API asked of two servers (the SQLite deployment and its PostgreSQL copy), the
// answers compared: status and the whole JSON body. The GET routes come from the server's own
// route table (plus /openapi.json), so a new one is covered without a change here; path
// parameters are filled from the data (every tenant, every provider with credentials, secret,
// phone, job, call, message and email), and lists are read page by page, two to a page, so their
// order and cursors are compared too. Headers are not compared, nor an error's requestId: a
// request id, the date and the rate-limit counters belong to the request, not to the data.
// The audit lists are read first, and the one GET that opens credentials (a trunk checked live,
// which is audited) last: after it the two streams grow by events with their own ids and times.
// Every other answer comes from the data the copy holds, and is asked with the root token first,
// then with each tenant's own token (whose use updates its last-used time on each server at its
// own moment: the token lists are compared whole before that, and with those tokens' lastUsedAt
// masked after).
import { expect } from 'vitest';
import type { RouteSpec } from '../../src/http/route-spec.js';
import type { HttpResult, TestServer } from '../support/server.js';
import type { DeploymentTenant } from './support.js';

export interface GetComparison {
  /** Requests made of each server. */
  requests: number;
  /** operationId → how many of its answers were 2xx on both. */
  answered: Map<string, number>;
  /** The tenant tokens used so far (their last use differs by a few milliseconds). */
  usedTokens: string[];
}

interface Ask {
  op: string;
  path: string;
  token: string | undefined;
}

const PAGE = 2;

function ids(r: HttpResult, list: string, field = 'id'): string[] {
  const items = (r.json as Record<string, unknown> | undefined)?.[list];
  if (!Array.isArray(items)) return [];
  return items.map((x) => String((x as Record<string, unknown>)[field]));
}

/** Collects every item of a list route on `s` (all pages), for filling path parameters. */
async function collect(s: TestServer, path: string, list: string, field = 'id'): Promise<string[]> {
  const out: string[] = [];
  let cursor: string | null = null;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const q: string = cursor === null ? '' : `${sep}cursor=${encodeURIComponent(cursor)}`;
    const r = await s.request('GET', `${path}${q}`, { token: s.rootToken });
    expect(r.status, `${path}: ${r.text}`).toBe(200);
    out.push(...ids(r, list, field));
    cursor = (r.json as { nextCursor?: string | null }).nextCursor ?? null;
  } while (cursor !== null);
  return out;
}

/** Concrete paths of a route for one tenant, from the data on `s`. */
async function pathsFor(s: TestServer, route: RouteSpec, tenantId: string): Promise<string[]> {
  const base = route.url.replace(':tenantId', tenantId);
  const t = `/v1/tenants/${tenantId}`;
  const fill = async (param: string, values: Promise<string[]>) =>
    (await values).map((v) => base.replace(param, encodeURIComponent(v)));
  if (base.includes(':provider'))
    return fill(':provider', collect(s, `${t}/credentials`, 'credentials', 'provider'));
  if (base.includes(':name')) return fill(':name', collect(s, `${t}/secrets`, 'secrets', 'name'));
  if (base.includes(':phoneId')) return fill(':phoneId', collect(s, `${t}/phones`, 'phones'));
  if (base.includes(':jobId')) {
    const jobs = await s.server.database.db
      .selectFrom('jobs')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .execute();
    return jobs.map((j) => base.replace(':jobId', j.id));
  }
  const m = /^(.*\/(calls|messages|emails))\/:id$/.exec(base);
  if (m?.[1] !== undefined && m[2] !== undefined) return fill(':id', collect(s, m[1], m[2]));
  if (base.includes(':')) throw new Error(`every-get: no values for ${route.url}`);
  return [base];
}

interface TokenView {
  prefix?: string;
  lastUsedAt?: string | null;
}

/**
 * What must differ, masked: an error's request id (the request's own), and the last use of the
 * tokens this comparison itself uses (each server records its own request's time).
 */
function comparable(
  r: HttpResult,
  usedTokens: readonly string[],
): { status: number; body: unknown } {
  const body = r.json as { error?: { requestId?: string }; tokens?: TokenView[] } | undefined;
  if (body?.error?.requestId !== undefined)
    return { status: r.status, body: { ...body, error: { ...body.error, requestId: '(own)' } } };
  if (Array.isArray(body?.tokens)) {
    const mask = (t: TokenView) =>
      usedTokens.some((u) => t.prefix !== undefined && u.startsWith(t.prefix))
        ? { ...t, lastUsedAt: '(used by the comparison)' }
        : t;
    return { status: r.status, body: { ...body, tokens: body.tokens.map(mask) } };
  }
  return { status: r.status, body };
}

/** One GET of both servers: the same status and the same JSON body. */
async function both(
  a: TestServer,
  b: TestServer,
  ask: Ask,
  path: string,
  c: GetComparison,
): Promise<HttpResult> {
  const ra = await a.request('GET', path, { token: ask.token });
  const rb = await b.request('GET', path, { token: ask.token });
  c.requests += 1;
  expect(comparable(rb, c.usedTokens), `${ask.op} GET ${path}`).toEqual(
    comparable(ra, c.usedTokens),
  );
  if (ra.status < 300) c.answered.set(ask.op, (c.answered.get(ask.op) ?? 0) + 1);
  return ra;
}

const nextCursorOf = (r: HttpResult): string | null => {
  const next = (r.json as { nextCursor?: unknown } | undefined)?.nextCursor;
  return typeof next === 'string' ? next : null;
};

/** Asks both servers as a client would, then walks a list PAGE items at a time on both. */
async function compareOne(a: TestServer, b: TestServer, ask: Ask, c: GetComparison): Promise<void> {
  const first = await both(a, b, ask, ask.path, c);
  if (typeof first.json !== 'object' || first.json === null || !('nextCursor' in first.json))
    return;
  const sep = ask.path.includes('?') ? '&' : '?';
  let cursor: string | null = null;
  do {
    const q: string = cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`;
    cursor = nextCursorOf(await both(a, b, ask, `${ask.path}${sep}limit=${PAGE}${q}`, c));
  } while (cursor !== null);
}

export async function compareEveryGet(
  a: TestServer,
  b: TestServer,
  tenants: readonly DeploymentTenant[],
): Promise<GetComparison> {
  const routes = a.server.routes.filter((r) => r.method === 'GET');
  const c: GetComparison = { requests: 0, answered: new Map(), usedTokens: [] };
  const asks: Ask[] = [];
  const audit = (r: RouteSpec) => r.operationId.endsWith('Audit');
  const ordered = [...routes.filter(audit), ...routes.filter((r) => !audit(r))];
  for (const route of ordered) {
    const access = route.access;
    if (access.kind === 'public')
      asks.push({ op: route.operationId, path: route.url, token: undefined });
    else if (!route.url.includes(':tenantId'))
      asks.push({ op: route.operationId, path: route.url, token: a.rootToken });
    else if (access.kind === 'root' || (access.kind === 'tenant' && access.root)) {
      for (const t of tenants) {
        for (const path of await pathsFor(a, route, t.tenantId))
          asks.push({ op: route.operationId, path, token: a.rootToken });
      }
    }
  }
  asks.push({ op: 'openapi', path: '/openapi.json', token: undefined });
  for (const ask of asks) await compareOne(a, b, ask, c);
  // Then each tenant's own token on every route it may use (the root may not use them all).
  c.usedTokens.push(...tenants.map((t) => t.token));
  for (const route of routes) {
    for (const t of tenants) {
      if (route.access.kind === 'tenant') {
        for (const path of await pathsFor(a, route, t.tenantId))
          await compareOne(a, b, { op: route.operationId, path, token: t.token }, c);
      } else if (route.access.kind === 'authenticated') {
        await compareOne(a, b, { op: route.operationId, path: route.url, token: t.token }, c);
      }
    }
  }
  // Last, the trunk checked live against the provider (the same sandbox behind both servers):
  // the check opens the tenant's Twilio credentials, which appends an audit event.
  const getTrunk = routes.find((r) => r.operationId === 'getTrunk');
  for (const t of getTrunk === undefined ? [] : tenants) {
    const path = `/v1/tenants/${t.tenantId}/trunk?check=live`;
    await compareOne(a, b, { op: 'getTrunk live', path, token: t.token }, c);
  }
  return c;
}
