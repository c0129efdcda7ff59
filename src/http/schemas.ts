// Schemas shared by several routes files.
import { z } from 'zod';
import type { TenantId } from '../crypto/index.js';

/**
 * The tenant in a tenant route's path. Branded here, where it enters: the route's access check
 * answers 404 before any handler runs unless a tenant with this id exists.
 */
export const tenantParams = z.object({
  tenantId: z.string().transform((id) => id as TenantId),
});

export const errorSchema = z
  .object({
    error: z.object({
      code: z.string().meta({ example: 'ERR_VALIDATION' }),
      message: z.string(),
      requestId: z.string(),
      /** A provider's refusal: what it said, numbers masked and secret-like text redacted. */
      provider: z
        .object({
          name: z.enum(['twilio', 'retell', 'exotel', 'sendgrid']),
          code: z.union([z.string(), z.number()]).optional(),
          message: z.string().optional(),
          moreInfo: z.string().optional(),
        })
        .optional(),
    }),
  })
  .meta({ id: 'Error' });
