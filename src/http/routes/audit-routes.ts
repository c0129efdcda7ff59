// Audit log reads: a tenant's stream, and the operator stream (root). No route changes an event.
import { auditPageView, auditQuery, type AuditService } from '../../services/audit/index.js';
import { defineRoute, type RouteSpec } from '../route-spec.js';
import { tenantParams } from '../schemas.js';

export function auditRoutes(audit: AuditService): RouteSpec[] {
  const tags = ['audit'];
  return [
    defineRoute({
      operationId: 'listTenantAudit',
      method: 'GET',
      url: '/v1/tenants/:tenantId/audit',
      summary: "A tenant's audit events, oldest first (cursor pagination)",
      tags,
      access: { kind: 'tenant', scope: 'audit:read', root: true },
      params: tenantParams,
      query: auditQuery,
      status: 200,
      response: auditPageView,
      handler: ({ params, query }) => audit.list({ tenantId: params.tenantId, ...query }),
    }),
    defineRoute({
      operationId: 'listOperatorAudit',
      method: 'GET',
      url: '/v1/audit',
      summary: 'The operator audit stream (tenant and key operations)',
      tags,
      access: { kind: 'root' },
      query: auditQuery,
      status: 200,
      response: auditPageView,
      handler: ({ query }) => audit.list({ tenantId: null, ...query }),
    }),
  ];
}
