// Named secrets: one envelope each, listed masked; the value comes back only through `reveal`,
// which is audited before the value leaves (no audit event, no value).
import { z } from 'zod';
import type { Secret } from '../../crypto/secret.js';
import { TelvaultError } from '../../errors.js';
import type { Database } from '../../store/database.js';
import { trackRowKeys } from '../../store/key-usage-repo.js';
import { createSecretRepo, type SecretRow } from '../../store/secret-repo.js';
import { newId, nowIso } from '../../store/time.js';
import type { Actor } from '../audit/actor.js';
import type { AuditService } from '../audit/audit-service.js';
import { hintFor, secretFieldView } from '../credentials/fields.js';
import { retryOnRace, StaleRead, type FieldCipher } from '../keys/sealing.js';
import { parseInput } from '../common/validation.js';

/** Envelope context of a named secret (the store's encrypted-field registry). Do not change. */
export const SECRET_ENTITY = 'secret';
export const SECRET_FIELD = 'value';
export const MAX_SECRET_LENGTH = 16_384;

export const secretName = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/,
    'must be 1 to 128 of A-Z a-z 0-9 . _ - (starting with a letter or digit)',
  );

export const secretInput = z.strictObject({
  value: z
    .string({ error: 'is required and must be a string' })
    .min(1, 'must not be empty')
    .max(MAX_SECRET_LENGTH, `must be at most ${MAX_SECRET_LENGTH} characters`)
    .describe('Write-only.'),
});

export const secretView = z.object({
  name: z.string(),
  value: secretFieldView,
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type SecretView = z.infer<typeof secretView>;

function toView(r: SecretRow): SecretView {
  return {
    name: r.name,
    value: r.last4 === null ? { set: true } : { set: true, last4: r.last4 },
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export interface SecretServiceDeps {
  db: Database;
  keys: FieldCipher;
  audit: AuditService;
}

export function createSecretService(deps: SecretServiceDeps) {
  const repo = createSecretRepo(deps.db);
  const ctx = (recordId: string) => ({ entity: SECRET_ENTITY, field: SECRET_FIELD, recordId });

  async function putOnce(
    tenantId: string,
    name: string,
    value: string,
    actor: Actor,
  ): Promise<SecretRow> {
    const existing = await repo.find(tenantId, name);
    const id = existing?.id ?? newId();
    const sealed = await deps.keys.sealField(tenantId, ctx(id), value);
    const now = nowIso();
    const row: SecretRow = {
      id,
      tenant_id: tenantId,
      name,
      value_env: sealed.envelope,
      last4: hintFor(value)?.last4 ?? null,
      key_version: sealed.keyVersion,
      created_at: existing?.created_at ?? now,
      updated_at: now,
    };
    await deps.db.transaction().execute(async (trx) => {
      const current = await repo.find(tenantId, name, trx);
      if (current?.id !== existing?.id) throw new StaleRead();
      if (current === undefined) await repo.insert(trx, row);
      else await repo.update(trx, id, row);
      await trackRowKeys(
        trx,
        tenantId,
        current === undefined ? null : { data: current.key_version },
        {
          data: row.key_version,
        },
      );
      await deps.audit.record(
        { tenantId, actor, action: 'secret.write', target: `secret:${name}` },
        trx,
      );
    });
    return row;
  }

  return {
    async put(tenantId: string, name: string, body: unknown, actor: Actor): Promise<SecretView> {
      const { value } = parseInput(secretInput, body);
      return toView(await retryOnRace(() => putOnce(tenantId, name, value, actor)));
    },

    async get(tenantId: string, name: string): Promise<SecretView> {
      const row = await repo.find(tenantId, name);
      if (row === undefined) throw new TelvaultError('ERR_NOT_FOUND', 'secret not found');
      return toView(row);
    },

    async list(tenantId: string): Promise<SecretView[]> {
      return (await repo.list(tenantId)).map(toView);
    },

    async remove(tenantId: string, name: string, actor: Actor): Promise<void> {
      await deps.db.transaction().execute(async (trx) => {
        const row = await repo.find(tenantId, name, trx);
        if (row === undefined) throw new TelvaultError('ERR_NOT_FOUND', 'secret not found');
        await repo.remove(trx, row.id);
        await trackRowKeys(trx, tenantId, { data: row.key_version }, null);
        await deps.audit.record(
          { tenantId, actor, action: 'secret.delete', target: `secret:${name}` },
          trx,
        );
      });
    },

    /** The value, after its audit event is durable. `operation` says why (e.g. `api.reveal`). */
    async reveal(
      tenantId: string,
      name: string,
      actor: Actor,
      operation = 'api.reveal',
    ): Promise<Secret<string>> {
      const row = await repo.find(tenantId, name);
      if (row === undefined) throw new TelvaultError('ERR_NOT_FOUND', 'secret not found');
      const value = await deps.keys.openField(tenantId, ctx(row.id), row.value_env);
      await deps.audit.record({
        tenantId,
        actor,
        action: 'secret.reveal',
        target: `secret:${name}`,
        detail: { operation },
      });
      return value;
    },
  };
}

export type SecretService = ReturnType<typeof createSecretService>;
