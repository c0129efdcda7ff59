// The audit domain: the per-stream hash-chained event log and the actors it records.
export { type Actor } from './actor.js';
export { createAuditService, type AuditService } from './audit-service.js';
export {
  auditEventView,
  auditPageView,
  auditQuery,
  auditVerifyView,
  type AuditEventView,
  type AuditVerifyView,
  type AuditPage,
} from './audit-schemas.js';
