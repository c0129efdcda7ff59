// A token's input and views: parsed where input enters, shown through the views (never the
// token, except once in the created view).
import { z } from 'zod';
import { SCOPES } from './scopes.js';
import { displayText } from '../common/display-text.js';

const scope = z.enum(SCOPES, { error: `must be one of ${SCOPES.join(', ')}` });

export const tokenView = z
  .object({
    id: z.string(),
    name: z.string(),
    prefix: z.string().describe('The first characters of the token, to tell tokens apart'),
    scopes: z.array(scope),
    createdBy: z.string(),
    createdAt: z.string(),
    expiresAt: z.string().nullable(),
    revokedAt: z.string().nullable(),
    lastUsedAt: z.string().nullable(),
  })
  .meta({ id: 'Token' });

export const createdTokenView = tokenView
  .extend({ token: z.string().describe('The token. Shown only in this response.') })
  .meta({ id: 'CreatedToken' });

export const tokenInput = z.strictObject({
  name: displayText(100, { trim: true, required: true }),
  scopes: z
    .array(scope, { error: 'is required and must be an array of scopes' })
    .min(1, 'must name at least one scope')
    .max(SCOPES.length * 2),
  expiresAt: z.iso
    .datetime({ error: 'must be an ISO-8601 UTC date-time (e.g. 2030-01-01T00:00:00Z)' })
    .optional(),
});
