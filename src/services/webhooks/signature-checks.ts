// A provider's signature checked under the tenant's signing key (signing-keys.ts), for its own
// callbacks and for the platform's verify requests. A check that passes is audited as a use of the
// credentials; one that fails writes no row of its own, since anyone who knows a tenant id (it is
// in every callback URL) can post forged callbacks: it is counted (failure-tally.ts, audited once
// a minute) and charged to the tenant's failure budget, past which the key is no longer decrypted
// for each check.
import type { Secret, TenantId } from '../../crypto/index.js';
import { TelvaultError } from '../../errors.js';
import type { Actor } from '../audit/actor.js';
import type { AuditService } from '../audit/audit-service.js';
import type { Logger } from '../common/index.js';
import type { CredentialService } from '../credentials/credential-service.js';
import type { WebhookFailureBudget } from '../limits/index.js';
import { createFailureTally, type CheckRoute } from './failure-tally.js';
import { createSigningKeys, type SigningProvider } from './signing-keys.js';
import './errors.js';

export interface SignatureChecksDeps {
  credentials: Pick<CredentialService, 'openForCheck' | 'recordUse'>;
  audit: Pick<AuditService, 'record'>;
  budget: WebhookFailureBudget;
  logger: Logger;
}

export interface SignatureCheck {
  /** The operation a passing check is audited with as a use. */
  operation: string;
  actor: Actor;
  via: CheckRoute;
}

export const refused = (what: string): TelvaultError =>
  new TelvaultError('ERR_WEBHOOK_SIGNATURE_INVALID', `${what}: the signature does not match`);

const notConfigured = (provider: string): TelvaultError =>
  new TelvaultError('ERR_PROVIDER_NOT_CONFIGURED', `${provider} credentials are not set`);

export function createSignatureChecks(deps: SignatureChecksDeps) {
  const failures = createFailureTally(deps);
  const keys = createSigningKeys({
    budget: deps.budget,
    async open(tenantId, provider) {
      const c = await deps.credentials.openForCheck(tenantId, provider);
      if (c === undefined) throw notConfigured(provider);
      // Twilio signs with the auth token (never an API key); Retell with the webhook key when one
      // is stored, else the API key.
      return provider === 'twilio'
        ? c.secrets['authToken']
        : (c.secrets['webhookKey'] ?? c.secrets['apiKey']);
    },
  });

  /**
   * Whether `test` passes under the tenant's signing key. Rejects with ERR_PROVIDER_NOT_CONFIGURED
   * when no credentials are stored.
   */
  async function check(
    tenantId: TenantId,
    provider: SigningProvider,
    c: SignatureCheck,
    test: (key: Secret) => boolean | Promise<boolean>,
  ): Promise<boolean> {
    const key = await keys.keyOf(tenantId, provider);
    if (key !== undefined && (await test(key))) {
      await deps.credentials.recordUse(tenantId, provider, c.operation, c.actor);
      return true;
    }
    failures.count(tenantId, provider, c.via);
    await keys.failed(tenantId, provider);
    return false;
  }

  return {
    check,

    /**
     * A provider's callback: rejects with ERR_WEBHOOK_SIGNATURE_INVALID (403) unless `signature`
     * passes `test` under the tenant's key; unsigned, or no credentials to check with, the same.
     */
    async checkCallback(
      tenantId: TenantId,
      provider: SigningProvider,
      c: SignatureCheck & { header: string; signature: string | undefined },
      test: (key: Secret, signature: string) => boolean | Promise<boolean>,
    ): Promise<void> {
      const { signature } = c;
      let valid = false;
      try {
        // Unsigned: refused before anything is decrypted.
        if (signature !== undefined)
          valid = await check(tenantId, provider, c, (k) => test(k, signature));
        else failures.count(tenantId, provider, c.via);
      } catch (err) {
        if (!(err instanceof TelvaultError && err.code === 'ERR_PROVIDER_NOT_CONFIGURED'))
          throw err;
        failures.count(tenantId, provider, c.via);
      }
      if (!valid) throw refused(c.header);
    },

    /** Counts a failed check that needed no key (Exotel's per-call token). */
    countFailure: (tenantId: TenantId, provider: string, via: CheckRoute): void =>
      failures.count(tenantId, provider, via),
    /** Writes the counts of failed checks now (a timer does it every minute). */
    flushFailures: (): Promise<void> => failures.flush(),
    /** Whether checks for a tenant and provider use a held key (a flood of forged ones). */
    flooded: (tenantId: TenantId, provider: SigningProvider): boolean =>
      keys.flooded(tenantId, provider),
    async close(): Promise<void> {
      keys.close();
      await failures.close();
    },
  };
}

export type SignatureChecks = ReturnType<typeof createSignatureChecks>;
