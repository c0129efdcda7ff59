// Shared helpers for the crypto tests: keys, keyrings, contexts and fast-check arbitraries.
import fc from 'fast-check';
import { asTenantId, type TenantId } from '../../src/crypto/index.js';
import {
  asKeyId,
  createDataKey,
  createKeyring,
  generateKeyMaterial,
  TelvaultError,
  type DataKey,
  type EnvelopeContext,
  type Keyring,
} from '../../src/crypto/index.js';

export function dataKey(id: string, version = 1, material = generateKeyMaterial()): DataKey {
  return createDataKey(asKeyId(id), version, material);
}

export function ringOf(primary: DataKey, ...others: DataKey[]): Keyring {
  return createKeyring([
    { key: primary, state: 'primary' },
    ...others.map((key) => ({ key, state: 'decrypt-only' as const })),
  ]);
}

export const baseContext: EnvelopeContext = {
  tenantId: asTenantId('tn_01J9ZQ'),
  entity: 'provider-credential',
  field: 'authToken',
  recordId: '0192d6c4-7b1e-7c4a-9f0e-3a1b2c3d4e5f',
  purpose: 'twilio',
};

/** Non-empty, well-formed Unicode (any code point, surrogate pairs included). */
export const text = fc.string({ unit: 'binary', minLength: 1, maxLength: 40 });

export const contextArb: fc.Arbitrary<EnvelopeContext> = fc.record(
  {
    // The crypto core takes any well-formed text; the brand only keeps callers from mixing ids.
    tenantId: text.map((id) => id as TenantId),
    entity: text,
    field: text,
    recordId: text,
    purpose: fc.string({ unit: 'binary', maxLength: 20 }),
  },
  { requiredKeys: ['tenantId', 'entity', 'field', 'recordId'] },
);

export const CONTEXT_FIELDS = ['tenantId', 'entity', 'field', 'recordId', 'purpose'] as const;

/** The error code `fn` throws (a TelvaultError is required). */
export function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof TelvaultError) return error.code;
    throw new Error(`expected a TelvaultError, got ${String(error)}`, { cause: error });
  }
  throw new Error('expected an error, got a value');
}
