// Named secrets: one envelope each, listed masked; the value comes back only through `reveal`,
// which is audited before the value leaves (no audit event, no value). Written and read through
// the encrypted-record path.
import { z } from 'zod';
import type { Secret, TenantId } from '../../crypto/index.js';
import { TelvaultError } from '../../errors.js';
import { ENCRYPTED_TABLES, fieldOfColumn } from '../../store/encrypted-fields.js';
import type { Actor } from '../audit/actor.js';
import type { AuditService } from '../audit/audit-service.js';
import { asSecret, hintFor, secretFieldView, secretFieldViewOf } from '../common/secret-field.js';
import type { EncryptedRecords, StoredRecord } from '../records/index.js';
import { parseInput } from '../common/validation.js';

export const MAX_SECRET_LENGTH = 16_384;

/** The envelope field of a secret's value, as the registry names it. */
const VALUE_FIELD = fieldOfColumn(ENCRYPTED_TABLES.secrets, 'value_env');

export const secretName = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/,
    'must be 1 to 128 of A-Z a-z 0-9 . _ - (starting with a letter or digit)',
  );

/** A PUT body, parsed: the value already wrapped. Only this schema makes a `SecretInput`. */
export const secretInput = z
  .strictObject({
    value: asSecret(
      z
        .string({ error: 'is required and must be a string' })
        .min(1, 'must not be empty')
        .max(MAX_SECRET_LENGTH, `must be at most ${MAX_SECRET_LENGTH} characters`),
    ).describe('Write-only.'),
  })
  .brand<'SecretInput'>();
export type SecretInput = z.output<typeof secretInput>;

export const secretView = z.object({
  name: z.string(),
  value: secretFieldView,
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type SecretView = z.infer<typeof secretView>;

function toView({ row }: StoredRecord): SecretView {
  return {
    name: String(row['name']),
    value: secretFieldViewOf(row['last4']),
    createdAt: String(row['created_at']),
    updatedAt: String(row['updated_at']),
  };
}

export interface SecretServiceDeps {
  records: EncryptedRecords;
  /** For the reveal event, which is not a write. */
  audit: Pick<AuditService, 'record'>;
}

const notFound = () => new TelvaultError('ERR_NOT_FOUND', 'secret not found');

export function createSecretService(deps: SecretServiceDeps) {
  const { records } = deps;

  return {
    async put(
      tenantId: TenantId,
      name: string,
      input: SecretInput,
      actor: Actor,
    ): Promise<SecretView> {
      const record = await records.write({
        table: 'secrets',
        tenantId,
        key: { name },
        plan: () => ({
          seal: { [VALUE_FIELD]: input.value },
          keep: [],
          columns: { name, last4: hintFor(input.value.reveal())?.last4 ?? null },
          audit: { actor, action: 'secret.write', target: `secret:${name}` },
        }),
      });
      return toView(record);
    },

    async get(tenantId: TenantId, name: string): Promise<SecretView> {
      const record = await records.find('secrets', tenantId, { name });
      if (record === undefined) throw notFound();
      return toView(record);
    },

    async list(tenantId: TenantId): Promise<SecretView[]> {
      return (await records.list('secrets', tenantId, 'name')).map(toView);
    },

    async remove(tenantId: TenantId, name: string, actor: Actor): Promise<void> {
      await records.remove({
        table: 'secrets',
        tenantId,
        key: { name },
        audit: { actor, action: 'secret.delete', target: `secret:${name}` },
        notFound: 'secret not found',
      });
    },

    /** The value, after its audit event is durable. `operation` says why (e.g. `api.reveal`). */
    async reveal(
      tenantId: TenantId,
      name: string,
      actor: Actor,
      operation = 'api.reveal',
    ): Promise<Secret<string>> {
      const record = await records.find('secrets', tenantId, { name });
      const value = record && (await records.open('secrets', tenantId, record, VALUE_FIELD));
      if (value === undefined) throw notFound();
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

/** Parses a secret's PUT body (the library's way in; the HTTP route parses with the same schema). */
export function parseSecretInput(body: unknown): SecretInput {
  return parseInput(secretInput, body);
}
