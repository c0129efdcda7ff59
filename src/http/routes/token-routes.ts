// /v1/tenants/:tenantId/tokens: mint (shown once), list (never the value), revoke.
import { z } from 'zod';
import { SCOPES } from '../../services/tokens/index.js';
import type { TokenService } from '../../services/tokens/index.js';
import { defineRoute, type RouteSpec } from '../route-spec.js';
import { tenantParams } from '../schemas.js';

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

const createdToken = tokenView
  .extend({ token: z.string().describe('The token. Shown only in this response.') })
  .meta({ id: 'CreatedToken' });

export const tokenInput = z.strictObject({
  name: z
    .string({ error: 'is required and must be a string' })
    .trim()
    .min(1, 'must not be empty')
    .max(100, 'must be at most 100 characters'),
  scopes: z
    .array(scope, { error: 'is required and must be an array of scopes' })
    .min(1, 'must name at least one scope')
    .max(SCOPES.length * 2),
  expiresAt: z.iso
    .datetime({ error: 'must be an ISO-8601 UTC date-time (e.g. 2030-01-01T00:00:00Z)' })
    .optional(),
});

export function tokenRoutes(tokens: TokenService): RouteSpec[] {
  const tags = ['tokens'];
  const access = { kind: 'tenant', scope: 'tokens:manage', root: true } as const;
  return [
    defineRoute({
      operationId: 'createToken',
      method: 'POST',
      url: '/v1/tenants/:tenantId/tokens',
      summary: 'Mint a tenant token',
      description:
        'Root token, or a tenant token with tokens:manage that holds every scope it grants (the new token expires no later than it).',
      tags,
      access,
      params: tenantParams,
      body: tokenInput,
      status: 201,
      response: createdToken,
      handler: async ({ params, body, principal, actor }) => {
        const expiresAt =
          body.expiresAt === undefined ? undefined : new Date(body.expiresAt).toISOString();
        const r = await tokens.create(
          { tenantId: params.tenantId, name: body.name, scopes: body.scopes, expiresAt },
          principal,
          actor,
        );
        return { ...r.view, token: r.token.reveal() };
      },
    }),
    defineRoute({
      operationId: 'listTokens',
      method: 'GET',
      url: '/v1/tenants/:tenantId/tokens',
      summary: "List a tenant's tokens (never their values)",
      tags,
      access,
      params: tenantParams,
      status: 200,
      response: z.object({ tokens: z.array(tokenView) }),
      handler: async ({ params }) => ({ tokens: await tokens.list(params.tenantId) }),
    }),
    defineRoute({
      operationId: 'revokeToken',
      method: 'DELETE',
      url: '/v1/tenants/:tenantId/tokens/:tokenId',
      summary: 'Revoke a token',
      tags,
      access,
      params: tenantParams.extend({ tokenId: z.string().max(64, 'must be at most 64 characters') }),
      status: 204,
      handler: async ({ params, actor }) => {
        await tokens.revoke(params.tenantId, params.tokenId, actor);
        return undefined;
      },
    }),
  ];
}
