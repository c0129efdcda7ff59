// The console's shell: sign-in gate, header with who is signed in, navigation limited to what the
// token may do, and the page for the current route.
import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { tenantPath } from './api';
import { Loading } from './components/notices';
import { useLoad } from './hooks';
import { ActivityPage } from './pages/activity-page';
import { AuditPage } from './pages/audit-page';
import { KeysPage } from './pages/keys-page';
import { PhonesPage } from './pages/phones-page';
import { ProvidersPage } from './pages/providers-page';
import { SecretsPage } from './pages/secrets-page';
import { SettingsPage } from './pages/settings-page';
import { SignIn, type Session } from './pages/sign-in';
import { TenantsPage } from './pages/tenants-page';
import { TokensPage } from './pages/tokens-page';
import { TrunkPage } from './pages/trunk-page';
import {
  can,
  mayOpenTenant,
  PAGE_SCOPE,
  PAGE_TITLES,
  tenantHref,
  tenantPagesFor,
  useRoute,
  type Route,
  type TenantPage,
} from './router';
import type { Tenant } from './types';

export function App(): JSX.Element {
  const [session, setSession] = useState<Session | undefined>(undefined);
  const [reason, setReason] = useState<string | undefined>(undefined);
  const signOut = (why?: string): void => {
    setSession(undefined);
    setReason(why);
  };
  if (session === undefined) {
    return (
      <SignIn
        reason={reason}
        onUnauthorized={() => signOut('The server no longer accepts this token: sign in again.')}
        onSignedIn={(s) => {
          // Whoever signed in last, this principal starts on its own first page: the address the
          // tab was at is dropped (another principal's tenant and page, or one it may not open).
          history.replaceState(null, '', window.location.pathname + window.location.search);
          setReason(undefined);
          setSession(s);
        }}
      />
    );
  }
  return <Console session={session} onSignOut={() => signOut('Signed out.')} />;
}

function Console(props: { session: Session; onSignOut: () => void }): JSX.Element {
  const { session } = props;
  const { who, api } = session;
  const route = useRoute();
  // On a narrow screen the menu folds behind a button; following a link folds it again.
  const [menuOpen, setMenuOpen] = useState(false);
  useEffect(() => setMenuOpen(false), [window.location.hash]);
  // Where a signed-in token lands: the operator on the tenants, a tenant token on its first page.
  useEffect(() => {
    if (route.page !== 'home') return;
    if (who.kind === 'root') window.location.hash = '#/tenants';
    else {
      const first = tenantPagesFor(who)[0];
      if (first !== undefined) window.location.hash = tenantHref(who.tenantId, first);
    }
  }, [route.page, who]);
  const tenantId = 'tenantId' in route ? route.tenantId : undefined;
  const tenants = useLoad<Tenant[]>(
    () =>
      who.kind === 'root'
        ? api.get<{ tenants: Tenant[] }>('/v1/tenants').then((r) => r.tenants)
        : Promise.resolve([]),
    [who, route.page === 'tenants'],
  );
  const tenantName =
    who.kind === 'tenant' ? who.tenantName : tenants.data?.find((t) => t.id === tenantId)?.name;
  return (
    <>
      <a class="skip" href="#main" onClick={skipToMain}>
        Skip to content
      </a>
      <header class="top">
        <button
          type="button"
          class="secondary menu-toggle"
          aria-expanded={menuOpen ? 'true' : 'false'}
          aria-controls="console-nav"
          onClick={() => setMenuOpen((o) => !o)}
        >
          Menu
        </button>
        <span class="brand">telvault console</span>
        <span class="who" data-testid="who">
          {who.kind === 'root' ? (
            'Operator (root token)'
          ) : (
            <>
              Tenant <bdi>{who.tenantName}</bdi>
            </>
          )}
        </span>
        <button type="button" class="secondary" onClick={props.onSignOut}>
          Sign out
        </button>
      </header>
      <div class="layout">
        <Nav
          session={session}
          route={route}
          tenants={tenants.data}
          tenantName={tenantName}
          open={menuOpen}
        />
        <main id="main" tabIndex={-1}>
          <RoutePage
            session={session}
            route={route}
            tenantName={tenantName}
            reloadTenants={tenants.reload}
          />
        </main>
      </div>
    </>
  );
}

/** The skip link moves focus to main without touching the hash (the hash is the route). */
function skipToMain(e: Event): void {
  e.preventDefault();
  document.getElementById('main')?.focus();
}

function Nav(props: {
  session: Session;
  route: Route;
  tenants: Tenant[] | undefined;
  tenantName: string | undefined;
  open: boolean;
}): JSX.Element {
  const { who } = props.session;
  const route = props.route;
  const current = (href: string): 'page' | undefined =>
    window.location.hash === href ? 'page' : undefined;
  const tenantId =
    'tenantId' in route && mayOpenTenant(who, route.tenantId)
      ? route.tenantId
      : who.kind === 'tenant'
        ? who.tenantId
        : undefined;
  const tenantPage: TenantPage = 'tenantId' in route ? route.page : 'providers';
  return (
    <nav id="console-nav" aria-label="Console" class={props.open ? 'open' : undefined}>
      {who.kind === 'root' && (
        <ul>
          <li>
            <a href="#/tenants" aria-current={current('#/tenants')}>
              Tenants
            </a>
          </li>
          <li>
            <a href="#/audit" aria-current={current('#/audit')}>
              Operator audit
            </a>
          </li>
        </ul>
      )}
      {who.kind === 'root' && props.tenants !== undefined && props.tenants.length > 0 && (
        <div class="field">
          <label for="tenant-pick">Tenant</label>
          <select
            id="tenant-pick"
            value={tenantId ?? ''}
            onChange={(e) => {
              const id = e.currentTarget.value;
              if (id !== '') window.location.hash = tenantHref(id, tenantPage);
            }}
          >
            <option value="">Choose a tenant…</option>
            {props.tenants.map((t) => (
              <option key={t.id} value={t.id}>
                {t.name}
              </option>
            ))}
          </select>
        </div>
      )}
      {tenantId !== undefined && (
        <>
          <h2 class="nav-title">
            {props.tenantName === undefined ? 'Tenant' : <bdi>{props.tenantName}</bdi>}
          </h2>
          <ul>
            {tenantPagesFor(who).map((p) => {
              const href = tenantHref(tenantId, p);
              return (
                <li key={p}>
                  <a href={href} aria-current={current(href)}>
                    {PAGE_TITLES[p]}
                  </a>
                </li>
              );
            })}
          </ul>
        </>
      )}
    </nav>
  );
}

function NotFound(): JSX.Element {
  return (
    <>
      <h1>Not found</h1>
      <p>There is no such page for this token.</p>
    </>
  );
}

function RoutePage(props: {
  session: Session;
  route: Route;
  tenantName: string | undefined;
  reloadTenants: () => void;
}): JSX.Element {
  const { session, route } = props;
  const { who } = session;
  switch (route.page) {
    case 'home':
      return <Loading />;
    case 'not-found':
      return <NotFound />;
    case 'tenants':
      return who.kind === 'root' ? (
        <TenantsPage api={session.api} onChange={props.reloadTenants} />
      ) : (
        <NotFound />
      );
    case 'operator-audit':
      return who.kind === 'root' ? (
        <AuditPage
          session={session}
          path="/v1/audit"
          verifyPath="/v1/audit/verify"
          title="Operator audit"
        />
      ) : (
        <NotFound />
      );
    default: {
      // Another tenant's route is not found, whatever the page: nothing is asked of the API.
      if (!mayOpenTenant(who, route.tenantId) || !can(who, PAGE_SCOPE[route.page]))
        return <NotFound />;
      const t = {
        session,
        tenantId: route.tenantId,
        tenantName: props.tenantName ?? route.tenantId,
      };
      switch (route.page) {
        case 'tokens':
          return <TokensPage {...t} />;
        case 'providers':
          return <ProvidersPage {...t} />;
        case 'secrets':
          return <SecretsPage {...t} />;
        case 'settings':
          return <SettingsPage {...t} />;
        case 'phones':
          return <PhonesPage {...t} />;
        case 'trunk':
          return <TrunkPage {...t} />;
        case 'activity':
          return <ActivityPage {...t} />;
        case 'audit':
          return (
            <AuditPage
              session={session}
              path={tenantPath(route.tenantId, '/audit')}
              verifyPath={tenantPath(route.tenantId, '/audit/verify')}
              title={
                <>
                  Audit · <bdi>{t.tenantName}</bdi>
                </>
              }
            />
          );
        case 'keys':
          return <KeysPage {...t} />;
      }
    }
  }
}
