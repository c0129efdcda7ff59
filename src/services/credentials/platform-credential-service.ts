// The platform's own provider credentials (the operator's, tenant null): validated and merged like
// a tenant's (merge.ts), each secret field sealed in its own envelope under the system key
// (keys/deployment-cipher.ts), read back only as masked views, decrypted only through `use`. Every
// write, delete and use is audited on the operator's stream.
import type { Secret } from '../../crypto/index.js';
import { TelvaultError } from '../../errors.js';
import type { Database } from '../../store/database.js';
import {
  deletePlatformCredential,
  findPlatformCredential,
  insertPlatformCredential,
  updatePlatformCredential,
  type PlatformCredentialRow,
} from '../../store/platform-credential-repo.js';
import { newId, nowIso } from '../../store/time.js';
import type { Actor } from '../audit/actor.js';
import type { AuditEventInput, AuditService } from '../audit/audit-service.js';
import { secretFieldViewOf } from '../common/secret-field.js';
import type { DeploymentCipher, DeploymentFieldRef } from '../keys/deployment-cipher.js';
import { retryOnRace, StaleRead } from '../keys/sealing.js';
import { mergeCredential, type CredentialInput, type StoredCredential } from './merge.js';
import { PLATFORM_SPECS, type PlatformProvider } from './platform-specs.js';

export type PlatformCredentialView = Record<string, unknown> & {
  provider: PlatformProvider;
  updatedAt: string;
};

/** Decrypted platform credentials for one use: public fields as they are, secrets wrapped. */
export interface PlatformCredentialsForUse {
  provider: PlatformProvider;
  public: Record<string, string>;
  secrets: Record<string, Secret<string>>;
}

export interface PlatformCredentialServiceDeps {
  db: Database;
  cipher: DeploymentCipher;
  audit: Pick<AuditService, 'record'>;
}

/** The envelope entity of a platform credential field. Stored format: do not change. */
const ENTITY = 'platform-credential';

/** What to set, for messages that need the platform's credentials. */
export const platformCredentialsHint = (provider: PlatformProvider): string =>
  `the platform's ${provider} credentials are not set: PUT /v1/platform/credentials/${provider} with the root token`;

function jsonObject<T>(text: string): Record<string, T> {
  const parsed: unknown = JSON.parse(text);
  return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, T>) : {};
}

function storedOf(row: PlatformCredentialRow | undefined): StoredCredential {
  if (row === undefined) return { public: {}, sealed: {}, hints: {} };
  return {
    public: jsonObject<string>(row.public_json),
    sealed: jsonObject<string>(row.secrets_json),
    hints: jsonObject<{ last4: string }>(row.hints_json),
  };
}

const refOf = (row: Pick<PlatformCredentialRow, 'id'>, field: string): DeploymentFieldRef => ({
  entity: ENTITY,
  field,
  recordId: row.id,
});

const event = (
  provider: PlatformProvider,
  actor: Actor,
  action: string,
  rest: Partial<AuditEventInput> = {},
): AuditEventInput => ({
  tenantId: null,
  actor,
  action,
  target: `platform-credential:${provider}`,
  ...rest,
});

function toView(provider: PlatformProvider, row: PlatformCredentialRow): PlatformCredentialView {
  const spec = PLATFORM_SPECS[provider];
  const stored = storedOf(row);
  const view: PlatformCredentialView = { provider, updatedAt: row.updated_at };
  for (const f of spec.publicFields) {
    if (typeof stored.public[f] === 'string') view[f] = stored.public[f];
  }
  for (const f of spec.secretFields) {
    if (stored.sealed[f] !== undefined) view[f] = secretFieldViewOf(stored.hints[f]?.last4);
  }
  return view;
}

const notFound = (provider: PlatformProvider) =>
  new TelvaultError('ERR_NOT_FOUND', `the platform's ${provider} credentials are not set`);

export function createPlatformCredentialService(deps: PlatformCredentialServiceDeps) {
  const { db, cipher } = deps;

  /** One attempt of a PUT: read, merge, seal outside the transaction, write if unchanged. */
  async function putOnce(
    provider: PlatformProvider,
    input: CredentialInput,
    actor: Actor,
  ): Promise<PlatformCredentialRow> {
    const spec = PLATFORM_SPECS[provider];
    const before = await findPlatformCredential(db, provider);
    const stored = storedOf(before);
    const { plain, fresh, kept, hints } = mergeCredential(spec, stored, input);
    const id = before?.id ?? newId();
    const sealed: Record<string, string> = {};
    for (const f of kept) {
      const envelope = stored.sealed[f];
      if (envelope !== undefined) sealed[f] = envelope;
    }
    for (const [f, value] of Object.entries(fresh)) {
      sealed[f] = await cipher.seal(refOf({ id }, f), value);
    }
    const at = nowIso();
    const row: PlatformCredentialRow = {
      provider,
      id,
      public_json: JSON.stringify(plain),
      secrets_json: JSON.stringify(sealed),
      hints_json: JSON.stringify(hints),
      created_at: before?.created_at ?? at,
      updated_at: at,
    };
    const fields = Object.keys(input).filter((k) => input[k] !== undefined);
    await db.transaction().execute(async (trx) => {
      const now = await findPlatformCredential(trx, provider);
      // Another write or a delete came in between: merge again from what is there now.
      if (now?.id !== before?.id || now?.secrets_json !== before?.secrets_json) {
        throw new StaleRead();
      }
      if (before === undefined) await insertPlatformCredential(trx, row);
      else await updatePlatformCredential(trx, provider, row);
      await deps.audit.record(
        event(provider, actor, 'platform.credential.write', { detail: { fields: fields.sort() } }),
        trx,
      );
    });
    return row;
  }

  return {
    /** Creates or partially updates: only the fields sent change (the tenant PUT's rules). */
    async put(
      provider: PlatformProvider,
      input: CredentialInput,
      actor: Actor,
    ): Promise<PlatformCredentialView> {
      return toView(provider, await retryOnRace(() => putOnce(provider, input, actor)));
    },

    async get(provider: PlatformProvider): Promise<PlatformCredentialView> {
      const row = await findPlatformCredential(db, provider);
      if (row === undefined) throw notFound(provider);
      return toView(provider, row);
    },

    async remove(provider: PlatformProvider, actor: Actor): Promise<void> {
      await db.transaction().execute(async (trx) => {
        if (!(await deletePlatformCredential(trx, provider))) throw notFound(provider);
        await deps.audit.record(event(provider, actor, 'platform.credential.delete'), trx);
      });
    },

    /**
     * Decrypts the platform's credentials for one use (`operation` names it; `tenantId` the tenant
     * it is done for, if any). The audit event is written first: if it cannot be, nothing is
     * decrypted. Not set: ERR_PROVIDER_NOT_CONFIGURED naming what to set.
     */
    async use(
      provider: PlatformProvider,
      operation: string,
      actor: Actor,
      tenantId?: string,
    ): Promise<PlatformCredentialsForUse> {
      const row = await findPlatformCredential(db, provider);
      await deps.audit.record(
        event(provider, actor, 'platform.credential.use', {
          outcome: row === undefined ? 'failure' : 'success',
          detail: { operation, ...(tenantId === undefined ? {} : { tenantId }) },
        }),
      );
      if (row === undefined) {
        throw new TelvaultError('ERR_PROVIDER_NOT_CONFIGURED', platformCredentialsHint(provider));
      }
      const stored = storedOf(row);
      const secrets: Record<string, Secret<string>> = {};
      for (const [f, envelope] of Object.entries(stored.sealed)) {
        secrets[f] = await cipher.open(refOf(row, f), envelope);
      }
      return { provider, public: stored.public, secrets };
    },
  };
}

export type PlatformCredentialService = ReturnType<typeof createPlatformCredentialService>;
