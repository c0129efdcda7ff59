// credentials: one row per (tenant, provider); non-secret fields in public_json, each secret field
// in its own envelope in secrets_json, hints (last4) in hints_json.
import type { CredentialsTable, Database } from './database.js';
import { dialectOf } from './dialect-of.js';

export type CredentialRow = CredentialsTable;

export function createCredentialRepo(db: Database) {
  return {
    async find(
      tenantId: string,
      provider: string,
      trx: Database = db,
    ): Promise<CredentialRow | undefined> {
      let q = trx
        .selectFrom('credentials')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('provider', '=', provider);
      // Inside a write transaction on PostgreSQL, hold the row until commit.
      if (trx !== db && dialectOf(trx) === 'postgres') q = q.forUpdate();
      return q.executeTakeFirst();
    },

    async list(tenantId: string): Promise<CredentialRow[]> {
      return db
        .selectFrom('credentials')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .orderBy('provider')
        .execute();
    },

    async insert(trx: Database, row: CredentialRow): Promise<void> {
      await trx.insertInto('credentials').values(row).execute();
    },

    async update(
      trx: Database,
      id: string,
      set: Pick<
        CredentialRow,
        'public_json' | 'secrets_json' | 'hints_json' | 'key_version' | 'updated_at'
      >,
    ): Promise<void> {
      await trx.updateTable('credentials').set(set).where('id', '=', id).execute();
    },

    async remove(trx: Database, id: string): Promise<void> {
      await trx.deleteFrom('credentials').where('id', '=', id).execute();
    },
  };
}

export type CredentialRepo = ReturnType<typeof createCredentialRepo>;
