// Provider credentials: validated per provider, each secret field sealed in its own envelope, read
// back only as masked views; decrypted in-process only through `use`, which audits every call.
import type { Secret } from '../../crypto/secret.js';
import { TelvaultError } from '../../errors.js';
import { createCredentialRepo, type CredentialRow } from '../../store/credential-repo.js';
import type { Database } from '../../store/database.js';
import { trackRowKeys } from '../../store/key-usage-repo.js';
import { newId, nowIso } from '../../store/time.js';
import type { Actor } from '../audit/actor.js';
import type { AuditService } from '../audit/audit-service.js';
import {
  mergeCredential,
  sealedFieldsOf,
  type CredentialInput,
  type StoredCredential,
} from './merge.js';
import { PROVIDER_SPECS, type Provider, type ProviderSpec } from './providers.js';
import type { EnvOverride } from './env-override.js';
import { maskPhones } from '../common/logger.js';
import { retryOnRace, StaleRead, type FieldCipher } from '../keys/sealing.js';
import { parseInput } from '../common/validation.js';

/** Envelope context entity for credentials (the store's encrypted-field registry). Do not change. */
export const CREDENTIAL_ENTITY = 'credential';

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
  db: Database;
  keys: FieldCipher;
  audit: AuditService;
  override?: EnvOverride | undefined;
}

const EMPTY: StoredCredential = { public: {}, sealed: {}, hints: {} };

function parseStored(row: CredentialRow): StoredCredential {
  return {
    public: JSON.parse(row.public_json) as Record<string, string>,
    sealed: JSON.parse(row.secrets_json) as Record<string, string>,
    hints: JSON.parse(row.hints_json) as Record<string, { last4: string }>,
  };
}

export function createCredentialService(deps: CredentialServiceDeps) {
  const repo = createCredentialRepo(deps.db);
  const ctx = (recordId: string, field: string) => ({ entity: CREDENTIAL_ENTITY, field, recordId });

  async function toView(
    tenantId: string,
    row: CredentialRow,
    showPhones: boolean,
  ): Promise<CredentialView> {
    const spec = PROVIDER_SPECS[row.provider as Provider];
    const stored = parseStored(row);
    const view: Record<string, unknown> = { provider: spec.provider, updatedAt: row.updated_at };
    for (const f of spec.publicFields)
      if (stored.public[f] !== undefined) view[f] = stored.public[f];
    for (const f of spec.secretFields) {
      if (stored.sealed[f] !== undefined) view[f] = { set: true, ...(stored.hints[f] ?? {}) };
    }
    for (const f of spec.phoneFields) {
      const env = stored.sealed[f];
      if (env === undefined) continue;
      const number = (await deps.keys.openField(tenantId, ctx(row.id, f), env)).reveal();
      view[f] = showPhones ? number : maskPhones(number);
    }
    return spec.view.parse(view) as CredentialView;
  }

  async function putOnce(
    tenantId: string,
    spec: ProviderSpec,
    input: CredentialInput,
    actor: Actor,
  ): Promise<CredentialRow> {
    const existing = await repo.find(tenantId, spec.provider);
    const recordId = existing?.id ?? newId();
    const stored = existing === undefined ? EMPTY : parseStored(existing);
    const { plain, fresh, kept, hints } = mergeCredential(spec, stored, input);

    // Seal what was sent, all under one key version; kept envelopes of another version are
    // re-sealed so the row is under one version (its key_version).
    let version = existing?.key_version;
    const sealed: Record<string, string> = {};
    if (Object.keys(fresh).length > 0) {
      const s = await deps.keys.sealFields(tenantId, CREDENTIAL_ENTITY, recordId, fresh);
      Object.assign(sealed, s.envelopes);
      version = s.keyVersion;
    }
    for (const [f, env] of Object.entries(kept)) {
      if (version === existing?.key_version) {
        sealed[f] = env;
        continue;
      }
      const s = await deps.keys.resealField(tenantId, ctx(recordId, f), env);
      if (s.keyVersion !== version) throw new StaleRead(); // the primary changed meanwhile
      sealed[f] = s.envelope;
    }
    if (version === undefined) throw new TelvaultError('ERR_INTERNAL', 'no sealed field');
    const now = nowIso();
    const row: CredentialRow = {
      id: recordId,
      tenant_id: tenantId,
      provider: spec.provider,
      public_json: JSON.stringify(plain),
      secrets_json: JSON.stringify(sealed),
      hints_json: JSON.stringify(hints),
      key_version: version,
      created_at: existing?.created_at ?? now,
      updated_at: now,
    };
    await deps.db.transaction().execute(async (trx) => {
      const current = await repo.find(tenantId, spec.provider, trx);
      if (
        current?.id !== existing?.id ||
        current?.secrets_json !== existing?.secrets_json ||
        current?.public_json !== existing?.public_json
      ) {
        throw new StaleRead();
      }
      if (current === undefined) await repo.insert(trx, row);
      else await repo.update(trx, row.id, row);
      await trackRowKeys(
        trx,
        tenantId,
        current === undefined ? null : { data: current.key_version },
        { data: version },
      );
      await deps.audit.record(
        {
          tenantId,
          actor,
          action: 'credential.write',
          target: `credential:${spec.provider}`,
          detail: {
            fields: Object.keys(input)
              .filter((k) => input[k] !== undefined)
              .sort(),
          },
        },
        trx,
      );
    });
    return row;
  }

  return {
    /** Creates or partially updates a provider's credentials: only the fields sent change. */
    async put(
      tenantId: string,
      provider: Provider,
      body: unknown,
      actor: Actor,
      showPhones = true,
    ): Promise<CredentialView> {
      const spec = PROVIDER_SPECS[provider];
      const input = parseInput(spec.input, body) as CredentialInput;
      const row = await retryOnRace(() => putOnce(tenantId, spec, input, actor));
      return toView(tenantId, row, showPhones);
    },

    async get(tenantId: string, provider: Provider, showPhones: boolean): Promise<CredentialView> {
      const row = await repo.find(tenantId, provider);
      if (row === undefined)
        throw new TelvaultError('ERR_NOT_FOUND', `${provider} credentials not found`);
      return toView(tenantId, row, showPhones);
    },

    async list(tenantId: string, showPhones: boolean): Promise<CredentialView[]> {
      const rows = await repo.list(tenantId);
      return Promise.all(rows.map((r) => toView(tenantId, r, showPhones)));
    },

    async remove(tenantId: string, provider: Provider, actor: Actor): Promise<void> {
      await deps.db.transaction().execute(async (trx) => {
        const row = await repo.find(tenantId, provider, trx);
        if (row === undefined)
          throw new TelvaultError('ERR_NOT_FOUND', `${provider} credentials not found`);
        await repo.remove(trx, row.id);
        await trackRowKeys(trx, tenantId, { data: row.key_version }, null);
        await deps.audit.record(
          { tenantId, actor, action: 'credential.delete', target: `credential:${provider}` },
          trx,
        );
      });
    },

    /**
     * Decrypts a provider's credentials for one use (`operation` names it, e.g. `calls.create`).
     * The audit event is written first: if it cannot be, nothing is decrypted. When the database
     * is unreachable and the emergency override covers this tenant and provider, its values are
     * used instead, the use logged as a warning and audited once the database is back.
     */
    async use(
      tenantId: string,
      provider: Provider,
      operation: string,
      actor: Actor,
    ): Promise<CredentialsForUse> {
      const spec = PROVIDER_SPECS[provider];
      let row: CredentialRow | undefined;
      try {
        row = await repo.find(tenantId, provider);
        await deps.audit.record({
          tenantId,
          actor,
          action: 'credential.use',
          target: `credential:${provider}`,
          outcome: row === undefined ? 'failure' : 'success',
          detail: { operation },
        });
      } catch (err) {
        const fallback = deps.override?.use(tenantId, provider, operation, actor, err);
        if (fallback !== undefined) return fallback;
        throw err;
      }
      if (row === undefined) {
        throw new TelvaultError(
          'ERR_PROVIDER_NOT_CONFIGURED',
          `${provider} credentials are not set`,
        );
      }
      const stored = parseStored(row);
      const secrets: Record<string, Secret<string>> = {};
      for (const f of sealedFieldsOf(spec)) {
        const env = stored.sealed[f];
        if (env !== undefined)
          secrets[f] = await deps.keys.openField(tenantId, ctx(row.id, f), env);
      }
      return { provider, public: stored.public, secrets, fromOverride: false };
    },
  };
}

export type CredentialService = ReturnType<typeof createCredentialService>;
