// Audit log reads: a tenant's stream, and the operator stream (root). No route changes an event.
import { z } from 'zod';
import type { AuditService } from '../../services/audit/index.js';
import { defineRoute, type RouteSpec } from '../route-spec.js';
import { tenantParams } from '../schemas.js';

const auditEvent = z
  .object({
    id: z.string(),
    seq: z.number(),
    at: z.string(),
    actor: z.string(),
    action: z.string(),
    target: z.string(),
    outcome: z.string(),
    detail: z.record(z.string(), z.unknown()).nullable(),
    hash: z.string(),
    prevHash: z.string(),
  })
  .meta({ id: 'AuditEvent' });

const auditPage = z.object({ events: z.array(auditEvent), nextCursor: z.string().nullable() });

const auditQuery = z.strictObject({
  cursor: z.string().max(64, 'must be at most 64 characters').optional(),
  action: z
    .string()
    .regex(/^[a-z][a-z0-9._-]{0,63}$/, 'must be an action name such as secret.reveal')
    .optional(),
  limit: z.coerce
    .number({ error: 'must be a number' })
    .int('must be an integer')
    .min(1, 'must be at least 1')
    .max(500, 'must be at most 500')
    .optional(),
});

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
      response: auditPage,
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
      response: auditPage,
      handler: ({ query }) => audit.list({ tenantId: null, ...query }),
    }),
  ];
}
