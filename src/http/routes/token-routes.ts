// /v1/tenants/:tenantId/tokens: mint (shown once), list (never the value), revoke.
import { z } from 'zod';
import {
  createdTokenView,
  tokenInput,
  tokenView,
  type TokenService,
} from '../../services/tokens/index.js';
import { defineRoute, type RouteSpec } from '../route-spec.js';
import { tenantParams } from '../schemas.js';

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
      response: createdTokenView,
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
