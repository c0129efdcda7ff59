// POST /v1/tenants/:tenantId/credentials/:provider/verify: checks the stored credentials against
// the provider (one cheap authenticated read). A provider's refusal is an answer, not a failure of
// this route: 200 with ok false and the typed error (code, status, provider code, retryable).
import { z } from 'zod';
import type { CredentialVerifyService } from '../../services/credentials/index.js';
import { PROVIDERS } from '../../services/credentials/index.js';
import { defineRoute, type RouteSpec } from '../route-spec.js';
import { tenantParams } from '../schemas.js';

const providerParams = tenantParams.extend({
  provider: z.enum(PROVIDERS, { error: `must be one of ${PROVIDERS.join(', ')}` }),
});

const provider = z.enum(PROVIDERS);
const sender = z
  .enum(['verified', 'unverified', 'unknown'])
  .optional()
  .describe(
    'SendGrid only: `verified` (fromEmail is a verified sender of the key’s account), ' +
      '`unverified` (it is not, nor at an authenticated domain: SendGrid would refuse its mail, ' +
      'so ok is false), `unknown` (the key may not read the sender lists, or fromEmail’s domain ' +
      'is authenticated rather than the address verified).',
  );

export const verifyResultSchema = z
  .discriminatedUnion('ok', [
    z.object({ provider, ok: z.literal(true), sender }),
    z.object({
      provider,
      ok: z.literal(false),
      sender,
      error: z.object({
        code: z.string().meta({ example: 'ERR_PROVIDER_CREDENTIALS_INVALID' }),
        message: z.string().meta({ example: 'twilio verify failed: HTTP 401 (code 20003)' }),
        status: z
          .number()
          .int()
          .optional()
          .describe("The provider's HTTP status; absent when no answer arrived."),
        providerCode: z
          .union([z.string(), z.number()])
          .optional()
          .describe("The provider's own error code (e.g. Twilio 20003), when it sent one."),
        retryable: z.boolean(),
      }),
    }),
  ])
  .meta({ id: 'CredentialVerifyResult' });

export function credentialVerifyRoutes(verifier: CredentialVerifyService): RouteSpec[] {
  return [
    defineRoute({
      operationId: 'verifyCredentials',
      method: 'POST',
      url: '/v1/tenants/:tenantId/credentials/:provider/verify',
      summary: "Check a provider's stored credentials against the provider",
      description:
        'One cheap authenticated read at the provider (Twilio: fetch the account; Retell: list one ' +
        'number; Exotel: list one call; SendGrid: read the key’s scopes, then whether fromEmail is a ' +
        'verified sender). A refusal is reported ' +
        'with 200 and `ok: false`: `ERR_PROVIDER_CREDENTIALS_INVALID` (401), ' +
        '`ERR_PROVIDER_FORBIDDEN` (403, or a SendGrid sender that is `unverified`), ' +
        '`ERR_PROVIDER_REDIRECTED` (3xx: never followed), ' +
        '`ERR_PROVIDER_UNAVAILABLE` (5xx or no answer; retryable), ' +
        '`ERR_PROVIDER_NOT_CONFIGURED` (this server has no sandbox URL in sandbox mode). ' +
        'The use of the credentials and the outcome are audited. 404 when none are stored.',
      tags: ['credentials'],
      access: { kind: 'tenant', scope: 'credentials:read', root: true },
      params: providerParams,
      status: 200,
      response: verifyResultSchema,
      handler: ({ params, actor }) => verifier.verify(params.tenantId, params.provider, actor),
    }),
  ];
}
