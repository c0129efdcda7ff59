// A tenant's input and view: parsed where input enters, shown through the view.
import { z } from 'zod';
import type { TenantId } from '../../crypto/index.js';

export const tenantView = z
  .object({ id: z.string(), name: z.string(), createdAt: z.string() })
  .meta({ id: 'Tenant' });
/** The view, its id branded (it is read from the store, so it is a tenant's). */
export type TenantView = Omit<z.infer<typeof tenantView>, 'id'> & { id: TenantId };

export const tenantInput = z.strictObject({
  name: z
    .string({ error: 'is required and must be a string' })
    .trim()
    .min(1, 'must not be empty')
    .max(200, 'must be at most 200 characters'),
});
