// Tenant management as the API and CLI see it: the tenant service, with every operation written to
// the operator audit stream (tenant_id null).
import type { Actor } from '../services/actor.js';
import type { AuditService } from '../services/audit-service.js';
import type { TenantView } from '../http/routes/tenant-routes.js';
import type { TenantAdmin } from '../http/routes/tenant-routes.js';
import { TelvaultError } from '../errors.js';

/** The part of the tenant service this needs (src/services/tenant-service.ts). */
export interface TenantServiceLike {
  create(name: string): Promise<{ id: string; name: string; createdAt: string }>;
  list(): Promise<{ id: string; name: string; createdAt: string }[]>;
  get(id: string): Promise<{ id: string; name: string; createdAt: string } | undefined>;
  remove(id: string): Promise<boolean>;
}

export function createTenantAdmin(tenants: TenantServiceLike, audit: AuditService): TenantAdmin {
  const view = (t: { id: string; name: string; createdAt: string }): TenantView => ({
    id: t.id,
    name: t.name,
    createdAt: t.createdAt,
  });
  return {
    async create(name: string, actor: Actor) {
      const t = await tenants.create(name);
      await audit.record({
        tenantId: null,
        actor,
        action: 'tenant.create',
        target: `tenant:${t.id}`,
      });
      return view(t);
    },
    async list() {
      return (await tenants.list()).map(view);
    },
    async get(id: string) {
      const t = await tenants.get(id);
      if (t === undefined) throw new TelvaultError('ERR_NOT_FOUND', 'tenant not found');
      return view(t);
    },
    async remove(id: string, actor: Actor) {
      // Audited first: a deletion that could not be recorded does not happen.
      await audit.record({
        tenantId: null,
        actor,
        action: 'tenant.delete',
        target: `tenant:${id}`,
      });
      if (!(await tenants.remove(id))) throw new TelvaultError('ERR_NOT_FOUND', 'tenant not found');
    },
    async exists(id: string) {
      return (await tenants.get(id)) !== undefined;
    },
  };
}
