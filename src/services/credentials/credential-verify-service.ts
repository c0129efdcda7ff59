// Checks a tenant's stored provider credentials against the provider with one cheap authenticated
// read. The decryption is audited by `credentials.use` (operation `credentials.verify`); the
// outcome is audited here, with the typed error's code and status only, never a vendor body.
import { TelvaultError } from '../../errors.js';
import { ProviderError } from '../../providers/provider-error.js';
import { verifyTwilioCredentials } from '../../providers/twilio/index.js';
import type { Actor } from '../audit/actor.js';
import type { AuditService } from '../audit/audit-service.js';
import type { Provider } from './providers.js';
import type { ClientTuning, ProviderClients } from './provider-clients.js';

/** The `operation` every verification's credential use is audited with. Do not change. */
export const VERIFY_OPERATION = 'credentials.verify';

export interface VerifyFailure {
  code: string;
  /** The typed error's own message: provider, operation, status or reason, never vendor text. */
  message: string;
  status?: number;
  providerCode?: string | number;
  retryable: boolean;
}

export type VerifyResult =
  { provider: Provider; ok: true } | { provider: Provider; ok: false; error: VerifyFailure };

export interface CredentialVerifyDeps {
  clients: ProviderClients;
  audit: Pick<AuditService, 'record'>;
}

// One attempt: the answer says whether a retry may help, and the caller decides.
const TUNING: ClientTuning = { readRetries: 0 };

function failureOf(err: ProviderError): VerifyFailure {
  return {
    code: err.code,
    message: err.message,
    ...(err.status === undefined ? {} : { status: err.status }),
    ...(err.providerCode === undefined ? {} : { providerCode: err.providerCode }),
    retryable: err.retryable,
  };
}

export function createCredentialVerifyService(deps: CredentialVerifyDeps) {
  const { clients } = deps;

  async function check(tenantId: string, provider: Provider, actor: Actor): Promise<void> {
    switch (provider) {
      case 'twilio':
        return verifyTwilioCredentials(
          await clients.twilio(tenantId, VERIFY_OPERATION, actor, TUNING),
        );
      case 'retell':
        return (await clients.retell(tenantId, VERIFY_OPERATION, actor, TUNING)).verify();
      case 'exotel':
        return (await clients.exotel(tenantId, VERIFY_OPERATION, actor, TUNING)).verify();
      case 'sendgrid':
        return (await clients.sendgrid(tenantId, VERIFY_OPERATION, actor, TUNING)).verify();
    }
  }

  return {
    /**
     * ok, or the typed provider error; ERR_NOT_FOUND when the tenant has no credentials for the
     * provider. Anything that is not a provider failure (database, audit) is thrown as it is.
     */
    async verify(tenantId: string, provider: Provider, actor: Actor): Promise<VerifyResult> {
      let error: VerifyFailure | undefined;
      try {
        await check(tenantId, provider, actor);
      } catch (err) {
        if (err instanceof ProviderError) error = failureOf(err);
        else if (err instanceof TelvaultError && err.code === 'ERR_PROVIDER_NOT_CONFIGURED') {
          // From credentials.use: nothing stored for this provider (its use is audited as failed).
          throw new TelvaultError('ERR_NOT_FOUND', `${provider} credentials not found`);
        } else throw err;
      }
      await deps.audit.record({
        tenantId,
        actor,
        action: 'credential.verify',
        target: `credential:${provider}`,
        outcome: error === undefined ? 'success' : 'failure',
        ...(error === undefined
          ? {}
          : {
              detail: {
                code: error.code,
                status: error.status ?? null,
                retryable: error.retryable,
              },
            }),
      });
      return error === undefined ? { provider, ok: true } : { provider, ok: false, error };
    },
  };
}

export type CredentialVerifyService = ReturnType<typeof createCredentialVerifyService>;
