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
    }),
  })
  .meta({ id: 'Error' });
