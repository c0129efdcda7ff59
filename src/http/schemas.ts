// Schemas shared by several routes files.
import { z } from 'zod';

export const tenantParams = z.object({ tenantId: z.string() });

export const errorSchema = z
  .object({
    error: z.object({
      code: z.string().meta({ example: 'ERR_VALIDATION' }),
      message: z.string(),
      requestId: z.string(),
    }),
  })
  .meta({ id: 'Error' });
