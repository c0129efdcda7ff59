import { argumentError } from './failures.js';

/**
 * A tenant's id, as bound into every envelope's and wrapped key's associated data. Branded so a
 * record id or a name cannot be passed where the tenant belongs (a mix-up would bind a value to
 * the wrong tenant). Not secret.
 */
export type TenantId = string & { readonly __brand: 'TenantId' };

const TENANT_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

export function isTenantId(value: unknown): value is TenantId {
  return typeof value === 'string' && TENANT_ID_PATTERN.test(value);
}

/** Validates and brands a tenant id: 1 to 64 of `A-Z a-z 0-9 . _ -` (UUIDv7 ids fit). */
export function asTenantId(value: string): TenantId {
  if (!isTenantId(value)) {
    throw argumentError('"tenant id" expected 1 to 64 characters of A-Z a-z 0-9 . _ -');
  }
  return value;
}
