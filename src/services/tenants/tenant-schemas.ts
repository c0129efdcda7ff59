// A tenant's input and view: parsed where input enters, shown through the view.
import { z } from 'zod';

export const tenantView = z
  .object({ id: z.string(), name: z.string(), createdAt: z.string() })
  .meta({ id: 'Tenant' });
export type TenantView = z.infer<typeof tenantView>;

export const tenantInput = z.strictObject({
  name: z
    .string({ error: 'is required and must be a string' })
    .trim()
    .min(1, 'must not be empty')
    .max(200, 'must be at most 200 characters'),
});
