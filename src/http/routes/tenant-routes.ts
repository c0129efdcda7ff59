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
      handler: ({ body, actor }) => tenants.create(body.name, actor),
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
      tags,
      access: { kind: 'root' },
      params: tenantParams,
      status: 204,
      handler: async ({ params, actor }) => {
        await tenants.remove(params.tenantId, actor);
        return undefined;
      },
    }),
  ];
}
