// GET /v1/token: who the presented token is, for any valid token (the console's sign-in asks it
// what to offer). Never the token, its prefix or its hash.
import { tokenIdentityView, type TokenService } from '../../services/tokens/index.js';
import { defineRoute, type RouteSpec } from '../route-spec.js';

export function whoamiRoutes(tokens: Pick<TokenService, 'identify'>): RouteSpec[] {
  return [
    defineRoute({
      operationId: 'getTokenIdentity',
      method: 'GET',
      url: '/v1/token',
      summary: 'Who the presented token is (root, or its tenant, name, scopes and expiry)',
      description:
        'The root token answers `{ "kind": "root" }`; a tenant token answers its tenant (id, name, externalId), its own id and name, its scopes (sorted) and expiresAt (null: never). No scope is needed; the token itself, its prefix and its hash are never part of the answer.',
      tags: ['tokens'],
      access: { kind: 'authenticated' },
      status: 200,
      response: tokenIdentityView,
      handler: ({ principal }) => tokens.identify(principal),
    }),
  ];
}
