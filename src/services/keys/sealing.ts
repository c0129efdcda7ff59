// What the encrypted-record path needs from the key service: seal and open fields bound to
// { tenant, entity, field, record id }, and blind indexes. Kept narrow so services stay testable.
import { TelvaultError } from '../../errors.js';
import type { KeyService } from './key-service.js';

/** The narrow slice of the key service the record path uses (a stub can stand in for it). */
export type FieldCipher = Pick<
  KeyService,
  'sealField' | 'sealFields' | 'resealField' | 'openField' | 'blindIndex'
>;

/** Thrown inside a write transaction when the row changed since it was read; the write retries. */
export class StaleRead extends Error {}

export function isUniqueViolation(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const code = (err as { code?: unknown }).code;
  return (
    code === '23505' ||
    code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
  );
}

/**
 * Runs a read-seal-write attempt again when it lost a race: the row changed under it, a concurrent
 * insert won, or a rotation retired the key it sealed with. Sealing happens outside the
 * transaction (the key service may query the database), so the transaction re-checks the row.
 */
export async function retryOnRace<T>(attempt: () => Promise<T>, tries = 4): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (err) {
      const race =
        err instanceof StaleRead ||
        isUniqueViolation(err) ||
        (err instanceof TelvaultError && err.code === 'ERR_KEYS_ROTATION_RUNNING');
      if (!race) throw err;
      if (i >= tries)
        throw new TelvaultError('ERR_CONFLICT', 'concurrent update: retry', { cause: err });
    }
  }
}
