// The audit log's views and read query, declared once: the routes validate and document with
// them, the service's types are inferred from them.
import { z } from 'zod';

/** One event as every reader sees it: the one declaration of its shape. */
export const auditEventView = z
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

export const auditPageView = z.object({
  events: z.array(auditEventView),
  nextCursor: z.string().nullable(),
});

/** The query of a stream read. */
export const auditQuery = z.strictObject({
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

/** One stream's chain check (`POST …/audit/verify`): the first fault, never an event's contents. */
export const auditVerifyView = z
  .object({
    ok: z.boolean(),
    tenantId: z
      .string()
      .nullable()
      .describe("The stream checked: the tenant's, null the operator's"),
    events: z.number().int().describe('Events checked (up to and including the first fault)'),
    checkedAt: z.string(),
    problem: z
      .object({
        seq: z.number().int(),
        eventId: z
          .string()
          .nullable()
          .describe(
            "The event at fault; null when the fault is the stream's (head, missing events)",
          ),
        reason: z.string(),
      })
      .nullable()
      .describe('The first fault found; null when ok'),
  })
  .meta({ id: 'AuditVerification' });

export type AuditEventView = z.infer<typeof auditEventView>;
export type AuditVerifyView = z.infer<typeof auditVerifyView>;
export type AuditPage = z.infer<typeof auditPageView>;
