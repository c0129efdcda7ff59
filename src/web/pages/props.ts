import type { Session } from './sign-in';

/** What every per-tenant page is given. */
export interface TenantPageProps {
  session: Session;
  tenantId: string;
  tenantName: string;
}
