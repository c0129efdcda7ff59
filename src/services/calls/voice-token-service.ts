// Twilio Voice access tokens for a tenant's browser or app clients, made from its stored API key
// (Twilio accepts access tokens signed by an API key only). The token is the one value the route
// returns; the mint is audited with the identity and ttl, never the token.
import type { TenantId } from '../../crypto/index.js';
import { TelvaultError } from '../../errors.js';
import { createVoiceToken } from '../../providers/twilio/index.js';
import type { Actor } from '../audit/actor.js';
import type { AuditService } from '../audit/audit-service.js';
import type { CredentialService } from '../credentials/credential-service.js';
import type { AccessTokenCreate, AccessTokenView } from './call-schemas.js';

/** The operation the decryption is audited with. Do not change. */
export const TWILIO_ACCESS_TOKEN = 'twilio.access-token';
const DEFAULT_TTL_SECONDS = 3600;

export interface VoiceTokenServiceDeps {
  credentials: Pick<CredentialService, 'use'>;
  audit: Pick<AuditService, 'record'>;
}

export function createVoiceTokenService(deps: VoiceTokenServiceDeps) {
  return {
    async mint(
      tenantId: TenantId,
      input: AccessTokenCreate,
      actor: Actor,
    ): Promise<AccessTokenView> {
      const c = await deps.credentials.use(tenantId, 'twilio', TWILIO_ACCESS_TOKEN, actor);
      const apiKeySid = c.public['apiKeySid'];
      const apiKeySecret = c.secrets['apiKeySecret'];
      const accountSid = c.public['accountSid'];
      if (apiKeySid === undefined || apiKeySecret === undefined || accountSid === undefined) {
        throw new TelvaultError(
          'ERR_TWILIO_API_KEY_REQUIRED',
          'twilio: access tokens are signed with an API key: store apiKeySid and apiKeySecret in the Twilio credentials',
        );
      }
      const ttlSeconds = input.ttlSeconds ?? DEFAULT_TTL_SECONDS;
      const incomingAllow = input.incomingAllow ?? false;
      const { token, exp } = createVoiceToken({
        accountSid,
        apiKeySid,
        apiKeySecret,
        identity: input.identity,
        ttlSeconds,
        twimlAppSid: c.public['twimlAppSid'],
        incomingAllow,
      });
      await deps.audit.record({
        tenantId,
        actor,
        action: 'twilio.access-token.create',
        target: 'twilio',
        detail: { identity: input.identity, ttlSeconds, incomingAllow },
      });
      return { token: token.reveal(), expiresAt: new Date(exp * 1000).toISOString() };
    },
  };
}

export type VoiceTokenService = ReturnType<typeof createVoiceTokenService>;
