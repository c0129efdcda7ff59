// Provider credentials: validated per provider, each secret field sealed in its own envelope, read
// back only as masked views; decrypted in-process only through `use`, which audits every call.
import { Secret, type TenantId } from '../../crypto/index.js';
import { TelvaultError } from '../../errors.js';
import type { Actor } from '../audit/actor.js';
import type { AuditService } from '../audit/audit-service.js';
import { maskPhones } from '../common/logger.js';
import { secretFieldViewOf } from '../common/secret-field.js';
import type { EncryptedRecords, StoredRecord } from '../records/index.js';
import type { EnvOverride } from './env-override.js';
import {
  mergeCredential,
  sealedFieldsOf,
  type CredentialInput,
  type StoredCredential,
} from './merge.js';
import { PROVIDER_SPECS, type Provider } from './providers.js';

export type CredentialView = Record<string, unknown> & { provider: Provider; updatedAt: string };

/** Decrypted credentials for one use: public fields as they are, sealed fields wrapped. */
export interface CredentialsForUse {
  provider: Provider;
  public: Record<string, string>;
  secrets: Record<string, Secret<string>>;
  /** True when they came from the emergency environment override. */
  fromOverride: boolean;
}

export interface CredentialServiceDeps {
  records: EncryptedRecords;
  /** For the use event, which is not a write. */
  audit: Pick<AuditService, 'record'>;
  override?: EnvOverride | undefined;
}

const EMPTY: StoredCredential = { public: {}, sealed: {}, hints: {} };

function jsonObject<T>(text: unknown): Record<string, T> {
  const parsed: unknown = typeof text === 'string' ? JSON.parse(text) : null;
  return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, T>) : {};
}

function storedOf(record: StoredRecord): StoredCredential {
  return {
    public: jsonObject<string>(record.row['public_json']),
    sealed: record.envelopes,
    hints: jsonObject<{ last4: string }>(record.row['hints_json']),
  };
}

const notFound = (provider: string) =>
  new TelvaultError('ERR_NOT_FOUND', `${provider} credentials not found`);

export function createCredentialService(deps: CredentialServiceDeps) {
  const { records } = deps;

  async function toView(
    tenantId: TenantId,
    record: StoredRecord,
    showPhones: boolean,
  ): Promise<CredentialView> {
    const spec = PROVIDER_SPECS[record.row['provider'] as Provider];
    const stored = storedOf(record);
    const view: CredentialView = {
      provider: spec.provider,
      updatedAt: String(record.row['updated_at']),
    };
    for (const f of spec.publicFields) {
      if (typeof stored.public[f] === 'string') view[f] = stored.public[f];
    }
    for (const f of spec.secretFields) {
      if (stored.sealed[f] !== undefined) view[f] = secretFieldViewOf(stored.hints[f]?.last4);
    }
    for (const f of spec.phoneFields) {
      const number = (await records.open('credentials', tenantId, record, f))?.reveal();
      if (number !== undefined) view[f] = showPhones ? number : maskPhones(number);
    }
    return view;
  }

  async function useEvent(
    tenantId: TenantId,
    provider: Provider,
    operation: string,
    actor: Actor,
    found: boolean,
  ): Promise<void> {
    await deps.audit.record({
      tenantId,
      actor,
      action: 'credential.use',
      target: `credential:${provider}`,
      outcome: found ? 'success' : 'failure',
      detail: { operation },
    });
  }

  async function openRecord(
    tenantId: TenantId,
    provider: Provider,
    record: StoredRecord,
  ): Promise<CredentialsForUse> {
    const secrets: Record<string, Secret<string>> = {};
    for (const f of sealedFieldsOf(PROVIDER_SPECS[provider])) {
      const value = await records.open('credentials', tenantId, record, f);
      if (value !== undefined) secrets[f] = value;
    }
    return { provider, public: storedOf(record).public, secrets, fromOverride: false };
  }

  return {
    /** Creates or partially updates a provider's credentials: only the fields sent change. */
    async put(
      tenantId: TenantId,
      provider: Provider,
      input: CredentialInput,
      actor: Actor,
      showPhones = true,
    ): Promise<CredentialView> {
      const spec = PROVIDER_SPECS[provider];
      const record = await records.write({
        table: 'credentials',
        tenantId,
        key: { provider },
        plan: (existing) => {
          const stored = existing === undefined ? EMPTY : storedOf(existing);
          const { plain, fresh, kept, hints } = mergeCredential(spec, stored, input);
          const fields = Object.keys(input).filter((k) => input[k] !== undefined);
          return {
            seal: fresh,
            keep: kept,
            columns: {
              provider,
              public_json: JSON.stringify(plain),
              hints_json: JSON.stringify(hints),
            },
            audit: {
              actor,
              action: 'credential.write',
              target: `credential:${provider}`,
              detail: { fields: fields.sort() },
            },
          };
        },
      });
      return toView(tenantId, record, showPhones);
    },

    async get(
      tenantId: TenantId,
      provider: Provider,
      showPhones: boolean,
    ): Promise<CredentialView> {
      const record = await records.find('credentials', tenantId, { provider });
      if (record === undefined) throw notFound(provider);
      return toView(tenantId, record, showPhones);
    },

    /**
     * Every field the tenant's credentials hold, sealed ones opened in-process (wrapped), for an
     * import to compare with what it would write; never returned by a route. Not a use: nothing is
     * sent anywhere. undefined: the tenant has none for this provider.
     */
    async held(
      tenantId: TenantId,
      provider: Provider,
    ): Promise<Record<string, Secret<string>> | undefined> {
      const record = await records.find('credentials', tenantId, { provider });
      if (record === undefined) return undefined;
      const spec = PROVIDER_SPECS[provider];
      const out: Record<string, Secret<string>> = {};
      const plain = storedOf(record).public;
      for (const f of spec.publicFields) {
        const v = plain[f];
        if (typeof v === 'string') out[f] = new Secret(v);
      }
      for (const f of [...spec.secretFields, ...spec.phoneFields]) {
        const v = await records.open('credentials', tenantId, record, f);
        if (v !== undefined) out[f] = v;
      }
      return out;
    },

    async list(tenantId: TenantId, showPhones: boolean): Promise<CredentialView[]> {
      const all = await records.list('credentials', tenantId, 'provider');
      return Promise.all(all.map((r) => toView(tenantId, r, showPhones)));
    },

    async remove(tenantId: TenantId, provider: Provider, actor: Actor): Promise<void> {
      await records.remove({
        table: 'credentials',
        tenantId,
        key: { provider },
        audit: { actor, action: 'credential.delete', target: `credential:${provider}` },
        notFound: `${provider} credentials not found`,
      });
    },

    /**
     * Decrypts a provider's credentials for one use (`operation` names it, e.g. `calls.create`).
     * The audit event is written first: if it cannot be, nothing is decrypted. When the database
     * is unreachable and the emergency override covers this tenant and provider, its values are
     * used instead, the use logged as a warning and audited once the database is back.
     */
    async use(
      tenantId: TenantId,
      provider: Provider,
      operation: string,
      actor: Actor,
    ): Promise<CredentialsForUse> {
      let record: StoredRecord | undefined;
      try {
        record = await records.find('credentials', tenantId, { provider });
        await useEvent(tenantId, provider, operation, actor, record !== undefined);
      } catch (err) {
        const fallback = deps.override?.use(tenantId, provider, operation, actor, err);
        if (fallback !== undefined) return fallback;
        throw err;
      }
      if (record === undefined) {
        throw new TelvaultError(
          'ERR_PROVIDER_NOT_CONFIGURED',
          `${provider} credentials are not set`,
        );
      }
      return openRecord(tenantId, provider, record);
    },

    /**
     * Decrypts a provider's credentials for a check that is a use only when it passes (a
     * provider's webhook signature: anyone can post a forged one, and each must not cost an audit
     * row). Nothing is audited here: the caller records each check that passed with `recordUse`.
     * Undefined when none are stored.
     */
    async openForCheck(
      tenantId: TenantId,
      provider: Provider,
    ): Promise<CredentialsForUse | undefined> {
      const record = await records.find('credentials', tenantId, { provider });
      return record === undefined ? undefined : openRecord(tenantId, provider, record);
    },

    /** The `credential.use` event of a check that passed on what `openForCheck` opened. */
    async recordUse(
      tenantId: TenantId,
      provider: Provider,
      operation: string,
      actor: Actor,
    ): Promise<void> {
      await useEvent(tenantId, provider, operation, actor, true);
    },
  };
}

export type CredentialService = ReturnType<typeof createCredentialService>;
