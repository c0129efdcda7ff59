// Checks a tenant's stored provider credentials against the provider with one cheap authenticated
// read (SendGrid: then its sender lists, since a working key says nothing about the from address).
// The decryption is audited by `credentials.use` (operation `credentials.verify`); the outcome is
// audited here, with the typed error's code and status only, never a vendor body.
import type { TenantId } from '../../crypto/index.js';
import { TelvaultError } from '../../errors.js';
import { ProviderError } from '../../providers/provider-error.js';
import type { SendgridSenderStatus } from '../../providers/sendgrid/index.js';
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

/** SendGrid only: what SendGrid makes of the stored `fromEmail` (see readSenderStatus). */
export type SenderStatus = SendgridSenderStatus;

export type VerifyResult =
  | { provider: Provider; ok: true; sender?: SenderStatus }
  | { provider: Provider; ok: false; error: VerifyFailure; sender?: SenderStatus };

export interface CredentialVerifyDeps {
  clients: ProviderClients;
  audit: Pick<AuditService, 'record'>;
}

// One attempt: the answer says whether a retry may help, and the caller decides.
const TUNING: ClientTuning = { readRetries: 0 };

/** The key works, but SendGrid answers 403 to mail from this sender: not ok. */
const UNVERIFIED_SENDER: VerifyFailure = {
  code: 'ERR_PROVIDER_FORBIDDEN',
  message: 'sendgrid verify failed: the fromEmail sender is not verified for this key',
  retryable: false,
};

/** A typed provider error as a verify answer shows it (never vendor text). */
export function verifyFailureOf(err: ProviderError): VerifyFailure {
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

  /** Resolves for working credentials, to the sender's status for SendGrid. */
  async function check(
    tenantId: TenantId,
    provider: Provider,
    actor: Actor,
  ): Promise<SenderStatus | undefined> {
    switch (provider) {
      case 'twilio':
        await verifyTwilioCredentials(
          await clients.twilio(tenantId, VERIFY_OPERATION, actor, TUNING),
        );
        return undefined;
      case 'retell':
        await (await clients.retell(tenantId, VERIFY_OPERATION, actor, TUNING)).verify();
        return undefined;
      case 'exotel':
        await (await clients.exotel(tenantId, VERIFY_OPERATION, actor, TUNING)).verify();
        return undefined;
      case 'sendgrid': {
        const client = await clients.sendgrid(tenantId, VERIFY_OPERATION, actor, TUNING);
        return (await client.verify()).sender;
      }
    }
  }

  return {
    /**
     * ok, or the typed provider error; ERR_NOT_FOUND when the tenant has no credentials for the
     * provider. Anything that is not a provider failure (database, audit) is thrown as it is.
     */
    async verify(tenantId: TenantId, provider: Provider, actor: Actor): Promise<VerifyResult> {
      let error: VerifyFailure | undefined;
      // SendGrid answers always say what is known of the sender; a failed check knows nothing.
      let sender: SenderStatus | undefined = provider === 'sendgrid' ? 'unknown' : undefined;
      try {
        sender = (await check(tenantId, provider, actor)) ?? sender;
        if (sender === 'unverified') error = UNVERIFIED_SENDER;
      } catch (err) {
        if (err instanceof ProviderError) error = verifyFailureOf(err);
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
        ...(error === undefined && sender === undefined
          ? {}
          : {
              detail: {
                ...(error === undefined
                  ? {}
                  : { code: error.code, status: error.status ?? null, retryable: error.retryable }),
                ...(sender === undefined ? {} : { sender }),
              },
            }),
      });
      const known = sender === undefined ? {} : { sender };
      return error === undefined
        ? { provider, ok: true, ...known }
        : { provider, ok: false, error, ...known };
    },
  };
}

export type CredentialVerifyService = ReturnType<typeof createCredentialVerifyService>;
