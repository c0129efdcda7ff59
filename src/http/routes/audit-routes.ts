// Audit log reads and chain checks: a tenant's stream, and the operator stream (root). No route
// changes an event (a check only reads: it is not itself audited).
import {
  auditPageView,
  auditQuery,
  auditVerifyView,
  type AuditService,
} from '../../services/audit/index.js';
import { defineRoute, type RouteSpec } from '../route-spec.js';
import { tenantParams } from '../schemas.js';

const VERIFY_NOTE =
  "Recomputes the stream from its first event: each event's seq, prev_hash and keyed hash, then its end against the stream's head row and the head's MAC. 200 with ok true, or ok false and the first fault: its seq, the event at fault (eventId; null when the fault is the stream's: a head that does not match its MAC, events missing at its end) and why. Only reads; runs beside appends (events written meanwhile are covered by the head read after them).";

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
    defineRoute({
      operationId: 'verifyTenantAudit',
      method: 'POST',
      url: '/v1/tenants/:tenantId/audit/verify',
      summary:
        "Check a tenant's audit chain: every event against its hash chain and the MAC'd head",
      description: VERIFY_NOTE,
      tags,
      access: { kind: 'tenant', scope: 'audit:read', root: true },
      params: tenantParams,
      status: 200,
      response: auditVerifyView,
      handler: ({ params }) => audit.verifyStream(params.tenantId),
    }),
    defineRoute({
      operationId: 'verifyOperatorAudit',
      method: 'POST',
      url: '/v1/audit/verify',
      summary:
        "Check the operator stream's chain: every event against its hash chain and the MAC'd head",
      description: `${VERIFY_NOTE} \`telvault audit verify\` checks every stream at once (and, with --head, against a head line kept outside the database).`,
      tags,
      access: { kind: 'root' },
      status: 200,
      response: auditVerifyView,
      handler: () => audit.verifyStream(null),
    }),
  ];
}
