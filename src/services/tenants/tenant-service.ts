// Tenants: created together with their keys, deleted together with their keys and rows. Once the
// keys are destroyed no copy of the tenant's rows (export, replica, backup of the data tables) can
// be opened again. Audit events are kept: they hold no values.
import { asTenantId, type TenantId } from '../../crypto/index.js';
import { TelvaultError } from '../../errors.js';
import type { Database } from '../../store/database.js';
import { deleteTenantRowsOf } from '../../store/encrypted-row-repo.js';
import { ENCRYPTED_TABLE_LIST } from '../../store/encrypted-fields.js';
import {
  deleteTenantRow,
  findTenant,
  findTenantByExternalId,
  insertTenant,
  listTenants,
  type TenantRow,
} from '../../store/tenant-repo.js';
import { newId, nowIso } from '../../store/time.js';
import { providerResourcesOf } from '../../store/trunk-repo.js';
import type { KeyService } from '../keys/key-service.js';
import { EXTERNAL_ID, EXTERNAL_ID_RULE } from './tenant-schemas.js';
import './errors.js';
import { BIDI_CONTROLS, BIDI_RULE } from '../common/display-text.js';

export interface TenantView {
  id: TenantId;
  name: string;
  externalId: string | null;
  createdAt: string;
}

export interface CreateTenantInput {
  name: string;
  /** The id the platform knows this customer by; unique among tenants. */
  externalId?: string | undefined;
}

export interface DeletedTenantView {
  id: TenantId;
  rowsDeleted: number;
}

/**
 * Runs inside the transaction that creates or deletes the tenant, after its own writes: what it
 * writes (the operation's audit event) commits with them, and if it throws nothing does.
 */
export type TenantTransactionStep = (trx: Database, tenant: TenantView) => Promise<void>;

export interface TenantService {
  createTenant(input: CreateTenantInput, within?: TenantTransactionStep): Promise<TenantView>;
  findTenant(id: string): Promise<TenantView | undefined>;
  findByExternalId(externalId: string): Promise<TenantView | undefined>;
  /** Like findTenant, but an unknown id is ERR_NOT_FOUND. */
  getTenant(id: string): Promise<TenantView>;
  listTenants(page?: { afterId?: string | undefined; limit?: number }): Promise<TenantView[]>;
  deleteTenant(id: string, within?: TenantTransactionStep): Promise<DeletedTenantView>;
  /** The tenant's trunk and trunk numbers at its providers (what deleting it would orphan). */
  providerResources(id: string): Promise<{ resource: 'trunk' | 'phone'; sid: string }[]>;
}

/** Tables with tenant rows that go with the tenant (audit_events stays). */
const TENANT_TABLES = [
  ...ENCRYPTED_TABLE_LIST.map((s) => s.table),
  'idempotency_keys',
  'api_tokens',
  'jobs',
  'tenant_settings',
  // The record of its Twilio sub-account (the sub-account itself stays at Twilio).
  'twilio_subaccounts',
  // What `telvault import` made of source records for it (keyed hashes and ids only).
  'import_records',
  // The leak check's fingerprints of its secrets (services/records/record-fingerprints.ts).
  'secret_fingerprints',
] as const;

const NAME_MAX = 200;

function view(row: Pick<TenantRow, 'id' | 'name' | 'created_at' | 'external_id'>): TenantView {
  // A row the store holds: its id is a tenant's.
  return {
    id: asTenantId(row.id),
    name: row.name,
    externalId: row.external_id ?? null,
    createdAt: row.created_at,
  };
}

const externalIdTaken = () =>
  new TelvaultError('ERR_TENANT_EXTERNAL_ID_TAKEN', 'externalId: another tenant already has it');

function checkExternalId(value: unknown): string | null {
  if (value === undefined) return null;
  if (typeof value !== 'string' || !EXTERNAL_ID.test(value)) {
    throw new TelvaultError('ERR_VALIDATION', `externalId: ${EXTERNAL_ID_RULE}`);
  }
  return value;
}

export function createTenantService(deps: { db: Database; keys: KeyService }): TenantService {
  const { db, keys } = deps;

  return {
    async createTenant(input, within) {
      const name = typeof input.name === 'string' ? input.name.trim() : '';
      if (name.length === 0 || name.length > NAME_MAX) {
        throw new TelvaultError('ERR_VALIDATION', `name: must be 1 to ${NAME_MAX} characters`);
      }
      if (BIDI_CONTROLS.test(name)) throw new TelvaultError('ERR_VALIDATION', `name: ${BIDI_RULE}`);
      const externalId = checkExternalId(input.externalId);
      const row = {
        id: asTenantId(newId()),
        name,
        created_at: nowIso(),
        keyring_stamp: 1,
        external_id: externalId,
      };
      const tenant = view(row);
      await db.transaction().execute(async (trx) => {
        // Checked first for a clear error; the unique index settles a race (a driver error then).
        if (externalId !== null && (await findTenantByExternalId(trx, externalId)) !== undefined) {
          throw externalIdTaken();
        }
        await insertTenant(trx, row);
        await keys.provisionTenantKeys(trx, row.id);
        await within?.(trx, tenant);
      });
      return tenant;
    },

    async findTenant(id) {
      const row = await findTenant(db, id);
      return row === undefined ? undefined : view(row);
    },

    async findByExternalId(externalId) {
      const row = await findTenantByExternalId(db, externalId);
      return row === undefined ? undefined : view(row);
    },

    async getTenant(id) {
      const row = await findTenant(db, id);
      if (row === undefined) throw new TelvaultError('ERR_NOT_FOUND', 'tenant not found');
      return view(row);
    },

    async listTenants(page = {}) {
      return (await listTenants(db, page)).map(view);
    },

    providerResources: (id) => providerResourcesOf(db, id),

    async deleteTenant(id, within) {
      let tenantId: TenantId | undefined;
      const rowsDeleted = await db.transaction().execute(async (trx) => {
        const found = await findTenant(trx, id);
        if (found === undefined) {
          throw new TelvaultError('ERR_NOT_FOUND', 'tenant not found');
        }
        const row = { ...found, id: asTenantId(found.id) };
        tenantId = row.id;
        // Keys first: even if a row were missed, nothing could open it.
        await keys.destroyTenantKeys(trx, row.id);
        let n = 0;
        for (const table of TENANT_TABLES) n += await deleteTenantRowsOf(trx, table, id);
        await deleteTenantRow(trx, id);
        await within?.(trx, view(row));
        return n;
      });
      if (tenantId !== undefined) keys.forgetTenant(tenantId);
      return { id: tenantId ?? asTenantId(id), rowsDeleted };
    },
  };
}
