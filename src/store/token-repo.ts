// api_tokens: a token is stored only as its hash; lookups go by hash (unique index).
import type { ApiTokensTable, Database } from './database.js';

export type TokenRow = ApiTokensTable;

export function createTokenRepo(db: Database) {
  return {
    async insert(row: TokenRow, trx: Database = db): Promise<void> {
      await trx.insertInto('api_tokens').values(row).execute();
    },

    /** A tenant token by hash, only while its tenant exists (one query on the request path). */
    async findByHash(tokenHash: string): Promise<TokenRow | undefined> {
      return db
        .selectFrom('api_tokens')
        .innerJoin('tenants', 'tenants.id', 'api_tokens.tenant_id')
        .selectAll('api_tokens')
        .where('api_tokens.token_hash', '=', tokenHash)
        .executeTakeFirst();
    },

    async findInTenant(tenantId: string, id: string): Promise<TokenRow | undefined> {
      return db
        .selectFrom('api_tokens')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .executeTakeFirst();
    },

    async listByTenant(tenantId: string): Promise<TokenRow[]> {
      return db
        .selectFrom('api_tokens')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .orderBy('created_at', 'asc')
        .orderBy('id', 'asc')
        .execute();
    },

    async revoke(tenantId: string, id: string, at: string, trx: Database = db): Promise<boolean> {
      const r = await trx
        .updateTable('api_tokens')
        .set({ revoked_at: at })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return r.numUpdatedRows > 0n;
    },

    async touch(id: string, at: string): Promise<void> {
      await db.updateTable('api_tokens').set({ last_used_at: at }).where('id', '=', id).execute();
    },
  };
}

export type TokenRepo = ReturnType<typeof createTokenRepo>;
