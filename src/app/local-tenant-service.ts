// TEMPORARY stand-in for src/services/tenant-service.ts (being written by the store helper):
// replaced by it as soon as it lands.
import { sql } from 'kysely';
import type { Database } from '../store/database.js';
import type { KeyService } from '../services/key-service.js';
import { ENCRYPTED_TABLE_LIST } from '../store/encrypted-fields.js';
import { deleteTenantRowsOf } from '../store/encrypted-row-repo.js';
import { deleteTenantRow, findTenant, insertTenant, listTenants } from '../store/tenant-repo.js';
import { newId, nowIso } from '../store/time.js';
import type { TenantServiceLike } from './tenant-admin.js';

export function createLocalTenantService(db: Database, keys: KeyService): TenantServiceLike {
  const view = (r: { id: string; name: string; created_at: string }) => ({
    id: r.id,
    name: r.name,
    createdAt: r.created_at,
  });
  return {
    async create(name) {
      const row = { id: newId(), name, created_at: nowIso(), keyring_stamp: 0 };
      await db.transaction().execute(async (trx) => {
        await insertTenant(trx, row);
        await keys.provisionTenantKeys(trx, row.id);
      });
      return view(row);
    },
    async list() {
      return (await listTenants(db)).map(view);
    },
    async get(id) {
      const r = await findTenant(db, id);
      return r === undefined ? undefined : view(r);
    },
    async remove(id) {
      return db.transaction().execute(async (trx) => {
        if ((await findTenant(trx, id)) === undefined) return false;
        await keys.destroyTenantKeys(trx, id);
        for (const t of ENCRYPTED_TABLE_LIST) await deleteTenantRowsOf(trx, t.table, id);
        await sql`delete from api_tokens where tenant_id = ${id}`.execute(trx);
        await deleteTenantRow(trx, id);
        return true;
      });
    },
  };
}
