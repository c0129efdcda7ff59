// platform_credentials: one row per provider, the platform's own account (no tenant). Non-secret
// fields in public_json, each secret field in its own envelope in secrets_json (sealed under the
// system key by services/keys/deployment-cipher.ts), hints (last4) in hints_json.
import type { Database, PlatformCredentialsTable } from './database.js';
import { dialectOf } from './dialect-of.js';

export type PlatformCredentialRow = PlatformCredentialsTable;

/** The provider's row; inside a PostgreSQL transaction, locked until it ends. */
export async function findPlatformCredential(
  db: Database,
  provider: string,
): Promise<PlatformCredentialRow | undefined> {
  let q = db.selectFrom('platform_credentials').selectAll().where('provider', '=', provider);
  if (db.isTransaction && dialectOf(db) === 'postgres') q = q.forUpdate();
  return q.executeTakeFirst();
}

export async function insertPlatformCredential(
  db: Database,
  row: PlatformCredentialRow,
): Promise<void> {
  await db.insertInto('platform_credentials').values(row).execute();
}

export async function updatePlatformCredential(
  db: Database,
  provider: string,
  set: Pick<PlatformCredentialRow, 'public_json' | 'secrets_json' | 'hints_json' | 'updated_at'>,
): Promise<void> {
  await db.updateTable('platform_credentials').set(set).where('provider', '=', provider).execute();
}

/** True when a row was deleted. */
export async function deletePlatformCredential(db: Database, provider: string): Promise<boolean> {
  const r = await db
    .deleteFrom('platform_credentials')
    .where('provider', '=', provider)
    .executeTakeFirst();
  return r.numDeletedRows > 0n;
}
