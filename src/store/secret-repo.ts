// secrets: named secrets, one envelope each, unique per (tenant, name).
import type { Database, SecretsTable } from './database.js';
import { dialectOf } from './dialect-of.js';

export type SecretRow = SecretsTable;

export function createSecretRepo(db: Database) {
  return {
    async find(tenantId: string, name: string, trx: Database = db): Promise<SecretRow | undefined> {
      let q = trx
        .selectFrom('secrets')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('name', '=', name);
      if (trx !== db && dialectOf(trx) === 'postgres') q = q.forUpdate();
      return q.executeTakeFirst();
    },

    async list(tenantId: string): Promise<SecretRow[]> {
      return db
        .selectFrom('secrets')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .orderBy('name')
        .execute();
    },

    async insert(trx: Database, row: SecretRow): Promise<void> {
      await trx.insertInto('secrets').values(row).execute();
    },

    async update(
      trx: Database,
      id: string,
      set: Pick<SecretRow, 'value_env' | 'last4' | 'key_version' | 'updated_at'>,
    ): Promise<void> {
      await trx.updateTable('secrets').set(set).where('id', '=', id).execute();
    },

    async remove(trx: Database, id: string): Promise<void> {
      await trx.deleteFrom('secrets').where('id', '=', id).execute();
    },
  };
}

export type SecretRepo = ReturnType<typeof createSecretRepo>;
