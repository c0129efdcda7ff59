// /v1/tenants/:tenantId/credentials: provider credentials, write-only secrets, masked views.
import { z } from 'zod';
import type { CredentialService } from '../../services/credentials/index.js';
import { credentialView, PROVIDER_SPECS, PROVIDERS } from '../../services/credentials/index.js';
import { defineRoute, type RouteSpec } from '../route-spec.js';
import { tenantParams } from '../schemas.js';

const providerParams = tenantParams.extend({
  provider: z.enum(PROVIDERS, { error: `must be one of ${PROVIDERS.join(', ')}` }),
});

const MERGE_NOTE =
  'Partial update: only the fields present in the body change; absent fields keep their stored value; ' +
  'null removes an optional field. The merged result must be complete for the provider. ' +
  'Secret fields are write-only: responses show { "set": true } and, for secrets of 16 characters or more, "last4".';

export function credentialRoutes(credentials: CredentialService): RouteSpec[] {
  const tags = ['credentials'];
  const read = { kind: 'tenant', scope: 'credentials:read', root: true } as const;
  const write = { kind: 'tenant', scope: 'credentials:write', root: true } as const;
  const puts = PROVIDERS.map((provider) =>
    defineRoute({
      operationId: `put${provider[0]?.toUpperCase() ?? ''}${provider.slice(1)}Credentials`,
      method: 'PUT',
      url: `/v1/tenants/:tenantId/credentials/${provider}`,
      summary: `Set or update the ${provider} credentials`,
      description: MERGE_NOTE,
      tags,
      access: write,
      params: tenantParams,
      body: PROVIDER_SPECS[provider].body,
      status: 200,
      response: PROVIDER_SPECS[provider].view,
      handler: ({ params, body, actor, principal }) =>
        credentials.put(params.tenantId, provider, body, actor, principal.kind === 'tenant'),
    }),
  );
  return [
    defineRoute({
      operationId: 'listCredentials',
      method: 'GET',
      url: '/v1/tenants/:tenantId/credentials',
      summary: "Every provider's credentials, masked",
      description: 'Phone numbers are shown in full to the tenant, masked to the root token.',
      tags,
      access: read,
      params: tenantParams,
      status: 200,
      response: z.object({ credentials: z.array(credentialView) }),
      handler: async ({ params, principal }) => ({
        credentials: await credentials.list(params.tenantId, principal.kind === 'tenant'),
      }),
    }),
    defineRoute({
      operationId: 'getCredentials',
      method: 'GET',
      url: '/v1/tenants/:tenantId/credentials/:provider',
      summary: "A provider's credentials, masked",
      tags,
      access: read,
      params: providerParams,
      status: 200,
      response: credentialView,
      handler: ({ params, principal }) =>
        credentials.get(params.tenantId, params.provider, principal.kind === 'tenant'),
    }),
    ...puts,
    defineRoute({
      operationId: 'deleteCredentials',
      method: 'DELETE',
      url: '/v1/tenants/:tenantId/credentials/:provider',
      summary: "Delete a provider's credentials",
      tags,
      access: write,
      params: providerParams,
      status: 204,
      handler: async ({ params, actor }) => {
        await credentials.remove(params.tenantId, params.provider, actor);
        return undefined;
      },
    }),
  ];
}
