// Hash routing: the page and tenant live in `location.hash` (`#/tenants/<id>/phones`), never a
// secret, never history state. Which pages a token may open is decided here and by the API alike:
// the console does not offer what the API would refuse, and the API refuses it anyway.
import { useEffect, useState } from 'preact/hooks';
import type { Scope, WhoAmI } from './types';

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
export type TenantPage = (typeof TENANT_PAGES)[number];

export type Route =
  | { page: 'home' }
  | { page: 'tenants' }
  | { page: 'operator-audit' }
  | { page: TenantPage; tenantId: string }
  | { page: 'not-found' };

export const PAGE_TITLES: Record<TenantPage, string> = {
  providers: 'Providers',
  secrets: 'Secrets',
  settings: 'Settings',
  phones: 'Phones',
  trunk: 'SIP trunk',
  activity: 'Activity',
  audit: 'Audit',
  keys: 'Keys',
  tokens: 'Tokens',
};

/** The scope a tenant token needs to open a page (the root token opens every page). */
export const PAGE_SCOPE: Record<TenantPage, Scope> = {
  providers: 'credentials:read',
  secrets: 'secrets:read',
  settings: 'settings:manage',
  phones: 'phones:read',
  trunk: 'trunks:manage',
  activity: 'activity:read',
  audit: 'audit:read',
  keys: 'keys:read',
  tokens: 'tokens:manage',
};

const TENANT_ROUTE = /^#\/tenants\/([A-Za-z0-9_-]{1,128})\/([a-z]+)$/;

export function parseHash(hash: string): Route {
  if (hash === '' || hash === '#' || hash === '#/') return { page: 'home' };
  if (hash === '#/tenants') return { page: 'tenants' };
  if (hash === '#/audit') return { page: 'operator-audit' };
  const m = TENANT_ROUTE.exec(hash);
  const page = m?.[2];
  if (
    m?.[1] !== undefined &&
    page !== undefined &&
    (TENANT_PAGES as readonly string[]).includes(page)
  )
    return { page: page as TenantPage, tenantId: m[1] };
  return { page: 'not-found' };
}

export function tenantHref(tenantId: string, page: TenantPage): string {
  return `#/tenants/${encodeURIComponent(tenantId)}/${page}`;
}

export function useRoute(): Route {
  const [hash, setHash] = useState(() => window.location.hash);
  useEffect(() => {
    const onChange = (): void => setHash(window.location.hash);
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return parseHash(hash);
}

export function can(who: WhoAmI, scope: Scope): boolean {
  return who.kind === 'root' || who.scopes.includes(scope);
}

/** Pages this token may open for a tenant, in menu order. */
export function tenantPagesFor(who: WhoAmI): TenantPage[] {
  return TENANT_PAGES.filter((p) => can(who, PAGE_SCOPE[p]));
}

/**
 * Whether the token may see this tenant at all: a tenant token only its own. Another tenant's
 * route is answered "not found" without asking the API (which would answer 404 too).
 */
export function mayOpenTenant(who: WhoAmI, tenantId: string): boolean {
  return who.kind === 'root' || who.tenantId === tenantId;
}
