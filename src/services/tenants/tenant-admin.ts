// Tenant management as the API and CLI see it: the tenant service, with every operation written to
// the operator audit stream (tenant_id null) inside the operation's own transaction: the tenant
// (with its keys) and its event commit together, or neither does; likewise a deletion.
import { TelvaultError } from '../../errors.js';
import type { TenantView } from './tenant-schemas.js';
import type { Actor } from '../audit/actor.js';
import type { AuditService } from '../audit/audit-service.js';
import type { TenantService, TenantTransactionStep } from './tenant-service.js';
import type { TokenService } from '../tokens/token-service.js';

/** Tenant management as the API and the CLI use it (the tenant service, with audit). */
export interface TenantAdmin {
  create(name: string, actor: Actor, externalId?: string): Promise<TenantView>;
  /**
   * The tenant with this external id, created (named `name`) when there is none: import's way to
   * make each customer's tenant once, however often it runs (a lost race re-reads the winner's).
   */
  ensureExternal(
    externalId: string,
    name: string,
    actor: Actor,
  ): Promise<{ tenant: TenantView; created: boolean }>;
  findByExternalId(externalId: string): Promise<TenantView | undefined>;
  list(): Promise<TenantView[]>;
  get(id: string): Promise<TenantView>;
  /**
   * Deletes a tenant (crypto-shred). Refused with ERR_TENANT_HAS_PROVIDER_RESOURCES while it has a
   * trunk or trunk numbers, unless `force`: then they are left at the providers and listed.
   */
  remove(
    id: string,
    actor: Actor,
    options?: { force?: boolean },
  ): Promise<{ leftAtProviders: { resource: 'trunk' | 'phone'; sid: string }[] }>;
  exists(id: string): Promise<boolean>;
}

export function createTenantAdmin(
  tenants: TenantService,
  audit: AuditService,
  tokens: Pick<TokenService, 'forgetTenant'>,
): TenantAdmin {
  const audited =
    (action: 'tenant.create' | 'tenant.delete', actor: Actor): TenantTransactionStep =>
    (trx, t) =>
      audit.record({ tenantId: null, actor, action, target: `tenant:${t.id}` }, trx);

  const create = (name: string, actor: Actor, externalId?: string) =>
    tenants.createTenant({ name, externalId }, async (trx, t) => {
      // The tenant's stream head exists from the start, so its stream deleted whole is noticed.
      await audit.openTenantStream(trx, t.id);
      await audited('tenant.create', actor)(trx, t);
    });

  return {
    create,
    async ensureExternal(externalId: string, name: string, actor: Actor) {
      const found = await tenants.findByExternalId(externalId);
      if (found !== undefined) return { tenant: found, created: false };
      try {
        return { tenant: await create(name, actor, externalId), created: true };
      } catch (err) {
        // Another process made it meanwhile (the check, or the unique index): it is the one.
        const winner = await tenants.findByExternalId(externalId);
        if (winner === undefined) throw err;
        return { tenant: winner, created: false };
      }
    },
    findByExternalId: (externalId: string) => tenants.findByExternalId(externalId),
    list: () => tenants.listTenants(),
    async get(id: string) {
      const t = await tenants.findTenant(id);
      if (t === undefined) throw new TelvaultError('ERR_NOT_FOUND', 'tenant not found');
      return t;
    },
    async remove(id: string, actor: Actor, options: { force?: boolean } = {}) {
      const left = await tenants.providerResources(id);
      if (left.length > 0 && options.force !== true) {
        throw new TelvaultError(
          'ERR_TENANT_HAS_PROVIDER_RESOURCES',
          `the tenant still has ${left.length} resource(s) at its providers (its trunk or trunk numbers): DELETE /v1/tenants/${id}/trunk first, or delete with force=true to leave them there`,
        );
      }
      try {
        await tenants.deleteTenant(id, (trx, t) =>
          audit.record(
            {
              tenantId: null,
              actor,
              action: 'tenant.delete',
              target: `tenant:${t.id}`,
              ...(left.length === 0
                ? {}
                : {
                    detail: {
                      forced: true,
                      leftAtProviders: left.map((r) => `${r.resource}:${r.sid}`),
                    },
                  }),
            },
            trx,
          ),
        );
        return { leftAtProviders: left };
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
