// /v1/tenants: the operator's (root token) tenant management.
import { z } from 'zod';
import { tenantInput, tenantView, type TenantAdmin } from '../../services/tenants/index.js';
import { defineRoute, type RouteSpec } from '../route-spec.js';
import { tenantParams } from '../schemas.js';

export function tenantRoutes(tenants: TenantAdmin): RouteSpec[] {
  const tags = ['tenants'];
  return [
    defineRoute({
      operationId: 'createTenant',
      method: 'POST',
      url: '/v1/tenants',
      summary: 'Create a tenant (with its data and blind-index keys)',
      tags,
      access: { kind: 'root' },
      body: tenantInput,
      status: 201,
      response: tenantView,
      handler: ({ body, actor }) => tenants.create(body.name, actor, body.externalId),
    }),
    defineRoute({
      operationId: 'listTenants',
      method: 'GET',
      url: '/v1/tenants',
      summary: 'List tenants',
      tags,
      access: { kind: 'root' },
      status: 200,
      response: z.object({ tenants: z.array(tenantView) }),
      handler: async () => ({ tenants: await tenants.list() }),
    }),
    defineRoute({
      operationId: 'getTenant',
      method: 'GET',
      url: '/v1/tenants/:tenantId',
      summary: 'Get a tenant',
      tags,
      access: { kind: 'root' },
      params: tenantParams,
      status: 200,
      response: tenantView,
      handler: ({ params }) => tenants.get(params.tenantId),
    }),
    defineRoute({
      operationId: 'deleteTenant',
      method: 'DELETE',
      url: '/v1/tenants/:tenantId',
      summary: 'Delete a tenant: destroys its keys and rows (its audit events are kept)',
      description:
        'Refused with 409 ERR_TENANT_HAS_PROVIDER_RESOURCES while the tenant still has a SIP trunk or trunk numbers (DELETE …/trunk first). With ?force=true the deletion goes ahead, the resources are left at the providers, and the answer (200) and the audit event list them; otherwise 204.',
      tags,
      access: { kind: 'root' },
      params: tenantParams,
      query: z.strictObject({
        force: z.enum(['true', 'false'], { error: 'must be true or false' }).optional(),
      }),
      status: 204,
      response: z.object({
        leftAtProviders: z.array(
          z.object({ resource: z.enum(['trunk', 'phone']), sid: z.string() }),
        ),
      }),
      alternate: { status: 200, statusFor: (r) => (r.leftAtProviders.length > 0 ? 200 : 204) },
      handler: ({ params, query, actor }) =>
        tenants.remove(params.tenantId, actor, { force: query.force === 'true' }),
    }),
  ];
}
