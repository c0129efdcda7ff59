// Tenant management as the API and CLI see it: the tenant service, with every operation written to
// the operator audit stream (tenant_id null).
import { TelvaultError } from '../errors.js';
import type { TenantAdmin } from '../http/routes/tenant-routes.js';
import type { Actor } from '../services/actor.js';
import type { AuditService } from '../services/audit-service.js';
import type { TenantService } from '../services/tenant-service.js';
import type { TokenService } from '../services/token-service.js';

export function createTenantAdmin(
  tenants: TenantService,
  audit: AuditService,
  tokens: Pick<TokenService, 'forgetTenant'>,
): TenantAdmin {
  return {
    async create(name: string, actor: Actor) {
      const t = await tenants.createTenant({ name });
      await audit.record({
        tenantId: null,
        actor,
        action: 'tenant.create',
        target: `tenant:${t.id}`,
      });
      return t;
    },
    list: () => tenants.listTenants(),
    async get(id: string) {
      const t = await tenants.findTenant(id);
      if (t === undefined) throw new TelvaultError('ERR_NOT_FOUND', 'tenant not found');
      return t;
    },
    async remove(id: string, actor: Actor) {
      if ((await tenants.findTenant(id)) === undefined) {
        throw new TelvaultError('ERR_NOT_FOUND', 'tenant not found');
      }
      // Audited first: a deletion that could not be recorded does not happen.
      await audit.record({
        tenantId: null,
        actor,
        action: 'tenant.delete',
        target: `tenant:${id}`,
      });
      try {
        await tenants.deleteTenant(id);
      } finally {
        // Its tokens stop at once on this node (the cache would otherwise keep them up to its TTL).
        tokens.forgetTenant(id);
      }
    },
    async exists(id: string) {
      return (await tenants.findTenant(id)) !== undefined;
    },
  };
}
