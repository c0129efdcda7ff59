// TEMPORARY until the console API (GET /v1/token) is merged from its branch: the same answer,
// mounted through createServer's extraRoutes for the browser tests only.
import { z } from 'zod';
import type { Services } from '../../src/app/services.js';
import { TelvaultError } from '../../src/errors.js';
import { defineRoute, type RouteSpec } from '../../src/http/route-spec.js';

export function whoamiShim(services: Services): RouteSpec[] {
  return [
    defineRoute({
      operationId: 'whoamiShim',
      method: 'GET',
      url: '/v1/token',
      summary: 'shim',
      tags: ['tokens'],
      access: { kind: 'public' },
      status: 200,
      response: z.unknown(),
      handler: async ({ request }) => {
        const m = /^Bearer (.+)$/.exec(request.headers.authorization ?? '');
        const p = m?.[1] === undefined ? undefined : await services.tokens.authenticate(m[1]);
        if (p === undefined) throw new TelvaultError('ERR_AUTH_INVALID', 'authorization: invalid');
        if (p.kind === 'root') return { kind: 'root' };
        const t = await services.tenants.get(p.tenantId);
        return {
          kind: 'tenant',
          tenantId: p.tenantId,
          tenantName: t.name,
          tokenId: p.tokenId,
          scopes: [...p.scopes].sort(),
          expiresAt: null,
        };
      },
    }),
  ];
}
