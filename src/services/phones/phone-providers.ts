// What a phone does at its providers: checks its own Exotel account with one cheap authenticated
// read, and pushes a change of its Retell agent ids to Retell when Retell knows the number.
import type { TenantId } from '../../crypto/index.js';
import { TelvaultError } from '../../errors.js';
import { ProviderError } from '../../providers/provider-error.js';
import type { ExotelCredentials } from '../../providers/exotel/index.js';
import type { RetellAgentWeight } from '../../providers/retell/index.js';
import type { Actor } from '../audit/actor.js';
import type { AuditService } from '../audit/audit-service.js';
import { verifyFailureOf, type VerifyFailure } from '../credentials/credential-verify-service.js';
import type { ProviderClients } from '../credentials/provider-clients.js';
import type { EncryptedRecords, StoredRecord } from '../records/index.js';
import type { PhoneVerifyResult } from './phone-schemas.js';
import {
  EXOTEL_KEY_FIELD,
  EXOTEL_TOKEN_FIELD,
  exotelOf,
  NUMBER_FIELD,
  type PhoneRetell,
} from './phone-views.js';

/** The `operation` the decryptions are audited with. Do not change. */
export const PHONE_EXOTEL_VERIFY = 'phone.exotel.verify';
export const PHONE_RETELL_SYNC = 'phone.retell.sync';

export interface PhoneProviderDeps {
  records: EncryptedRecords;
  clients: Pick<ProviderClients, 'retell' | 'exotelWith' | 'assertReachable'>;
  audit: Pick<AuditService, 'record'>;
}

const noAccount = () =>
  new TelvaultError('ERR_PROVIDER_NOT_CONFIGURED', 'exotel: the phone has no Exotel account');

const agents = (id: string | null): RetellAgentWeight[] | null =>
  id === null ? null : [{ agentId: id, weight: 1 }];

export function createPhoneProviders(deps: PhoneProviderDeps) {
  const { records, clients } = deps;

  async function numberOf(tenantId: TenantId, record: StoredRecord): Promise<string> {
    const n = await records.open('phones', tenantId, record, NUMBER_FIELD);
    if (n === undefined) throw new TelvaultError('ERR_INTERNAL', 'phones: a phone has no number');
    return n.reveal();
  }

  /** The phone's own Exotel credentials for one use, audited (operation, never a value) first. */
  async function openExotel(
    tenantId: TenantId,
    record: StoredRecord,
    operation: string,
    actor: Actor,
  ): Promise<ExotelCredentials> {
    const account = exotelOf(record);
    if (account === null) throw noAccount();
    await deps.audit.record({
      tenantId,
      actor,
      action: 'phone.exotel.use',
      target: `phone:${record.row.id}`,
      detail: { operation },
    });
    const apiKey = await records.open('phones', tenantId, record, EXOTEL_KEY_FIELD);
    const apiToken = await records.open('phones', tenantId, record, EXOTEL_TOKEN_FIELD);
    if (apiKey === undefined || apiToken === undefined) throw noAccount();
    return { accountSid: account.sid, apiKey: apiKey.reveal(), apiToken, host: account.subdomain };
  }

  /** The use audited, then the key and token opened and tried; the typed failure, if any. */
  async function checkAccount(
    tenantId: TenantId,
    record: StoredRecord,
    actor: Actor,
  ): Promise<VerifyFailure | undefined> {
    const credentials = await openExotel(tenantId, record, PHONE_EXOTEL_VERIFY, actor);
    try {
      const client = clients.exotelWith(credentials, { readRetries: 0 });
      await client.verify();
      return undefined;
    } catch (err) {
      if (!(err instanceof ProviderError)) throw err;
      return verifyFailureOf(err);
    }
  }

  return {
    openExotel,

    /**
     * The phone's own Exotel credentials, checked at Exotel: ok, or the typed provider error. The
     * use is audited before anything is decrypted, the outcome after (code and status only).
     */
    async verifyExotel(
      tenantId: TenantId,
      record: StoredRecord,
      actor: Actor,
    ): Promise<PhoneVerifyResult> {
      const target = `phone:${record.row.id}`;
      const account = exotelOf(record);
      if (account === null) throw noAccount();
      let error: VerifyFailure | undefined;
      try {
        // Where no call can go (sandbox mode without a URL), nothing is decrypted.
        clients.assertReachable('exotel');
      } catch (err) {
        if (!(err instanceof ProviderError)) throw err;
        error = verifyFailureOf(err);
      }
      if (error === undefined) error = await checkAccount(tenantId, record, actor);
      await deps.audit.record({
        tenantId,
        actor,
        action: 'phone.exotel.verify',
        target,
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
      return error === undefined ? { ok: true } : { ok: false, error };
    },

    /**
     * Pushes the agent ids to Retell when the tenant has Retell credentials and Retell knows the
     * number: true when pushed, false when there is nothing to push to. A provider failure is
     * thrown (the caller then stores nothing).
     */
    async pushRetell(
      tenantId: TenantId,
      record: StoredRecord,
      next: PhoneRetell,
      actor: Actor,
    ): Promise<boolean> {
      let client;
      try {
        client = await clients.retell(tenantId, PHONE_RETELL_SYNC, actor);
      } catch (err) {
        // Nothing to push to: the tenant stores no Retell credentials (from credentials.use), or
        // this server has no way to Retell (sandbox mode without a URL). The view says so.
        if (err instanceof TelvaultError && err.code === 'ERR_PROVIDER_NOT_CONFIGURED')
          return false;
        throw err;
      }
      const number = await numberOf(tenantId, record);
      if ((await client.getNumber(number)) === undefined) return false;
      await client.updateNumber(number, {
        inboundAgents: agents(next.inboundAgentId),
        outboundAgents: agents(next.outboundAgentId),
      });
      return true;
    },
  };
}

export type PhoneProviders = ReturnType<typeof createPhoneProviders>;
