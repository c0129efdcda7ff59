// A "node" for the idempotency tests: its own key service, audit, record path and idempotency
// service over one database handle (several nodes on one database behave as several servers).
import type { MasterKey, TenantId } from '../../src/crypto/index.js';
import { createAuditService, type AuditService } from '../../src/services/audit/index.js';
import {
  createIdempotencyService,
  type BeginInput,
  type IdempotencyOptions,
  type IdempotencyService,
} from '../../src/services/idempotency/index.js';
import { createKeyService, type KeyService } from '../../src/services/keys/key-service.js';
import { createEncryptedRecords, type EncryptedRecords } from '../../src/services/records/index.js';
import { createTenantService } from '../../src/services/tenants/tenant-service.js';
import type { Database } from '../../src/store/database.js';

export interface IdemNode {
  db: Database;
  keys: KeyService;
  audit: AuditService;
  records: EncryptedRecords;
  idem: IdempotencyService;
  /** Another idempotency service on this node's database and keys, with other options. */
  withOptions(options: IdempotencyOptions): IdempotencyService;
}

export async function openIdemNode(
  db: Database,
  master: MasterKey,
  options: IdempotencyOptions = {},
): Promise<IdemNode> {
  const keys = createKeyService({
    db,
    masterKeys: { current: master },
    cache: { stampCheckMs: 50 },
  });
  await keys.ensureSystemKey();
  const audit = createAuditService({ db, masterKeys: keys.masterKeys });
  await audit.start();
  const records = createEncryptedRecords({ db, keys, audit });
  const withOptions = (o: IdempotencyOptions) =>
    createIdempotencyService({ db, records, keys, ...o });
  return { db, keys, audit, records, idem: withOptions(options), withOptions };
}

/** A tenant with its audit stream (what the tenant admin creates). */
export async function createTenant(node: IdemNode, name: string): Promise<TenantId> {
  const t = await createTenantService({ db: node.db, keys: node.keys }).createTenant(
    { name },
    (trx, tenant) => node.audit.openTenantStream(trx, tenant.id),
  );
  return t.id;
}

/** Small leases and waits: a dead holder is found within a few tens of milliseconds. */
export const FAST = { leaseMs: 60, waitMs: 5_000, pollMs: 5 } as const;

let counter = 0;

/** A request with a fresh key (or the given one) to a number-purchase-like route. */
export function request(tenantId: TenantId, over: Partial<BeginInput> = {}): BeginInput {
  counter += 1;
  return {
    tenantId,
    key: `key-${process.pid}-${Date.now()}-${counter}`,
    method: 'POST',
    route: '/v1/tenants/:tenantId/calls',
    body: { to: '+61491570006', from: '+61491570156', opts: { a: 1, b: [1, 2] } },
    mode: 'once',
    ...over,
  };
}
