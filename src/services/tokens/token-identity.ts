// Who a presented token is (`GET /v1/token`): the root token, or a tenant token with its tenant,
// name, scopes and expiry. Never the token, its prefix or its hash: a client that holds the token
// needs none of them, and a view that carried them could leak them.
import { z } from 'zod';
import { TelvaultError } from '../../errors.js';
import type { Database } from '../../store/database.js';
import { findTenant } from '../../store/tenant-repo.js';
import { createTokenRepo } from '../../store/token-repo.js';
import { isScope, SCOPES } from './scopes.js';
import type { Principal } from './token-service.js';

export const tokenIdentityView = z
  .discriminatedUnion('kind', [
    z.object({ kind: z.literal('root') }),
    z.object({
      kind: z.literal('tenant'),
      tenantId: z.string(),
      tenantName: z.string(),
      tenantExternalId: z.string().nullable(),
      tokenId: z.string(),
      tokenName: z.string(),
      scopes: z.array(z.enum(SCOPES)).describe('Sorted'),
      expiresAt: z.string().nullable(),
    }),
  ])
  .meta({ id: 'TokenIdentity' });

export type TokenIdentityView = z.input<typeof tokenIdentityView>;

/**
 * The identity of an authenticated principal. A token whose row or tenant went away since it was
 * authenticated (revoked or deleted meanwhile) is ERR_AUTH_INVALID, as it would be a moment later.
 */
export async function identifyPrincipal(
  db: Database,
  principal: Principal,
): Promise<TokenIdentityView> {
  if (principal.kind === 'root') return { kind: 'root' };
  const [row, tenant] = await Promise.all([
    createTokenRepo(db).findInTenant(principal.tenantId, principal.tokenId),
    findTenant(db, principal.tenantId),
  ]);
  if (row === undefined || row.revoked_at !== null || tenant === undefined) {
    throw new TelvaultError(
      'ERR_AUTH_INVALID',
      'authorization: the token is invalid, expired or revoked',
    );
  }
  return {
    kind: 'tenant',
    tenantId: tenant.id,
    tenantName: tenant.name,
    tenantExternalId: tenant.external_id ?? null,
    tokenId: row.id,
    tokenName: row.name,
    scopes: [...principal.scopes].filter(isScope).sort(),
    expiresAt: row.expires_at,
  };
}
