// /v1/tenants/:tenantId/secrets: named secrets. Reveal is the one response that carries a value.
import { z } from 'zod';
import {
  secretInput,
  secretName,
  secretView,
  type SecretService,
} from '../../services/secrets/index.js';
import { defineRoute, type RouteSpec } from '../route-spec.js';
import { tenantParams } from '../schemas.js';

const nameParams = tenantParams.extend({ name: secretName });

export function secretRoutes(secrets: SecretService): RouteSpec[] {
  const tags = ['secrets'];
  const read = { kind: 'tenant', scope: 'secrets:read', root: true } as const;
  const write = { kind: 'tenant', scope: 'secrets:write', root: true } as const;
  return [
    defineRoute({
      operationId: 'listSecrets',
      method: 'GET',
      url: '/v1/tenants/:tenantId/secrets',
      summary: 'List named secrets, masked',
      tags,
      access: read,
      params: tenantParams,
      status: 200,
      response: z.object({ secrets: z.array(secretView) }),
      handler: async ({ params }) => ({ secrets: await secrets.list(params.tenantId) }),
    }),
    defineRoute({
      operationId: 'getSecret',
      method: 'GET',
      url: '/v1/tenants/:tenantId/secrets/:name',
      summary: 'A named secret, masked',
      tags,
      access: read,
      params: nameParams,
      status: 200,
      response: secretView,
      handler: ({ params }) => secrets.get(params.tenantId, params.name),
    }),
    defineRoute({
      operationId: 'putSecret',
      method: 'PUT',
      url: '/v1/tenants/:tenantId/secrets/:name',
      summary: 'Create or replace a named secret',
      tags,
      access: write,
      params: nameParams,
      body: secretInput,
      status: 200,
      response: secretView,
      handler: ({ params, body, actor }) => secrets.put(params.tenantId, params.name, body, actor),
    }),
    defineRoute({
      operationId: 'deleteSecret',
      method: 'DELETE',
      url: '/v1/tenants/:tenantId/secrets/:name',
      summary: 'Delete a named secret',
      tags,
      access: write,
      params: nameParams,
      status: 204,
      handler: async ({ params, actor }) => {
        await secrets.remove(params.tenantId, params.name, actor);
        return undefined;
      },
    }),
    defineRoute({
      operationId: 'revealSecret',
      method: 'POST',
      url: '/v1/tenants/:tenantId/secrets/:name/reveal',
      summary: "Reveal a named secret's value (audited)",
      description:
        'Needs a tenant token with secrets:reveal (the root token cannot reveal). The reveal is audited before the value is returned.',
      tags,
      access: { kind: 'tenant', scope: 'secrets:reveal', root: false },
      params: nameParams,
      status: 200,
      response: z.object({ name: z.string(), value: z.string() }).meta({ id: 'RevealedSecret' }),
      handler: async ({ params, actor, request }) => {
        const value = await secrets.reveal(params.tenantId, params.name, actor, 'api.reveal');
        request.log.info({ secret: params.name }, 'secret revealed');
        return { name: params.name, value: value.reveal() };
      },
    }),
  ];
}
