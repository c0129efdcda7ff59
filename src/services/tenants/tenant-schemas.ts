// A tenant's input and view: parsed where input enters, shown through the view.
import { z } from 'zod';
import type { TenantId } from '../../crypto/index.js';
import { displayText } from '../common/display-text.js';

/** An external id: what platforms use as customer ids (ObjectIds, UUIDs, slugs, emails). */
export const EXTERNAL_ID = /^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$/;
export const EXTERNAL_ID_RULE =
  'must be 1 to 128 of A-Z a-z 0-9 . _ : @ - (starting with a letter or digit)';

export const tenantView = z
  .object({
    id: z.string(),
    name: z.string(),
    externalId: z
      .string()
      .nullable()
      .describe('The id the platform knows this customer by (unique), or null.'),
    createdAt: z.string(),
  })
  .meta({ id: 'Tenant' });
/** The view, its id branded (it is read from the store, so it is a tenant's). */
export type TenantView = Omit<z.infer<typeof tenantView>, 'id'> & { id: TenantId };

export const tenantInput = z.strictObject({
  name: displayText(200, { trim: true, required: true }),
  externalId: z
    .string({ error: 'must be a string' })
    .regex(EXTERNAL_ID, EXTERNAL_ID_RULE)
    .optional()
    .describe('The id the platform knows this customer by; unique among tenants.'),
});
