// Rows in every encrypted table, written the way services write them: fields sealed through the
// key service (one key version per row), the row and key_usage changed in one transaction.
import { sql } from 'kysely';
import type { TenantId } from '../../src/crypto/index.js';
import type { KeyService } from '../../src/services/keys/key-service.js';
import type { Database } from '../../src/store/database.js';
import {
  ENCRYPTED_TABLES,
  rowFields,
  type EncryptedTableName,
} from '../../src/store/encrypted-fields.js';
import { readEncryptedRow } from '../../src/store/encrypted-row-repo.js';
import { trackRowKeys } from '../../src/store/key-usage-repo.js';
import { newId, nowIso } from '../../src/store/time.js';

/** The encrypted fields each fixture row has, per table (field names as in the registry). */
export const FIXTURE_FIELDS: Record<EncryptedTableName, readonly string[]> = {
  credentials: ['authToken', 'apiKeySecret'],
  secrets: ['value'],
  phones: ['number', 'exotel.apiToken'],
  sip_trunks: ['password', 'nextPassword'],
  call_records: ['to'],
  message_records: ['to'],
  email_records: ['to'],
  job_records: ['params', 'result'],
  idempotency_payloads: ['intent', 'response'],
};

export const TABLE_NAMES = Object.keys(FIXTURE_FIELDS) as EncryptedTableName[];

type Values = Record<string, string>;

function encryptedColumns(table: EncryptedTableName, env: Record<string, string>) {
  switch (table) {
    case 'credentials':
      return {
        secrets_json: JSON.stringify({
          authToken: env['authToken'],
          apiKeySecret: env['apiKeySecret'],
        }),
      };
    case 'secrets':
      return { value_env: env['value'] };
    case 'phones':
      return {
        number_env: env['number'],
        exotel_secrets_json: JSON.stringify({ apiToken: env['exotel.apiToken'] }),
      };
    case 'sip_trunks':
      return { password_env: env['password'], next_password_env: env['nextPassword'] };
    case 'job_records':
      return { params_env: env['params'], result_env: env['result'] };
    case 'idempotency_payloads':
      return { intent_env: env['intent'], response_env: env['response'] };
    default:
      return { to_env: env['to'] };
  }
}

function plainColumns(
  table: EncryptedTableName,
  id: string,
  bidx: { value: string; version: number },
) {
  switch (table) {
    case 'credentials':
      return { provider: `p-${id}`, public_json: '{}', hints_json: '{}' };
    case 'secrets':
      return { name: `s-${id}`, last4: null };
    case 'phones':
      return { number_bidx: bidx.value, bidx_version: bidx.version, label: null };
    case 'sip_trunks':
      return { state: 'ready', twilio_account_sid: 'AC00', row_version: 0 };
    case 'job_records':
      return { job_id: `job-${id}` };
    case 'idempotency_payloads':
      return { generation: 1 };
    default:
      return { provider: 'twilio', status: 'queued', to_bidx: bidx.value };
  }
}

/** How many of `wanted` rows a tenant can have in a table (one SIP trunk per tenant). */
export function rowsPerTenant(table: EncryptedTableName, wanted: number): number {
  return table === 'sip_trunks' ? Math.min(1, wanted) : wanted;
}

/** Inserts a row with the given field values; returns its id. */
export async function insertRow(
  db: Database,
  keys: KeyService,
  tenantId: TenantId,
  table: EncryptedTableName,
  values: Values,
): Promise<string> {
  const id = newId();
  const spec = ENCRYPTED_TABLES[table];
  const { envelopes, keyVersion } = await keys.sealFields(tenantId, spec.entity, id, values);
  const bidx = await keys.blindIndex(tenantId, values['number'] ?? values['to'] ?? id, 1);
  const at = nowIso();
  const row = {
    id,
    tenant_id: tenantId,
    ...plainColumns(table, id, bidx),
    ...encryptedColumns(table, envelopes),
    key_version: keyVersion,
    created_at: at,
    updated_at: at,
  };
  await db.transaction().execute(async (trx) => {
    await sql`insert into ${sql.table(table)} ${sql.raw('(')}${sql.join(Object.keys(row).map((c) => sql.ref(c)))}${sql.raw(')')} values (${sql.join(Object.values(row))})`.execute(
      trx,
    );
    const idx = spec.blindIndex === null ? null : bidx.version;
    await trackRowKeys(trx, tenantId, null, { data: keyVersion, index: idx });
  });
  return id;
}

/** Replaces every encrypted field of a row (a service's update), in one transaction. */
export async function updateRow(
  db: Database,
  keys: KeyService,
  tenantId: TenantId,
  table: EncryptedTableName,
  id: string,
  values: Values,
): Promise<void> {
  const spec = ENCRYPTED_TABLES[table];
  for (let attempt = 0; ; attempt++) {
    const { envelopes, keyVersion } = await keys.sealFields(tenantId, spec.entity, id, values);
    try {
      await db.transaction().execute(async (trx) => {
        const before = await readEncryptedRow(trx, spec, tenantId, id);
        if (before === undefined) throw new Error('row gone');
        const cols = encryptedColumns(table, envelopes);
        await sql`update ${sql.table(table)} set ${sql.join(
          Object.entries({ ...cols, key_version: keyVersion, updated_at: nowIso() }).map(
            ([c, v]) => sql`${sql.ref(c)} = ${v}`,
          ),
        )} where id = ${id}`.execute(trx);
        await trackRowKeys(trx, tenantId, { data: before.key_version }, { data: keyVersion });
      });
      return;
    } catch (err) {
      if (attempt < 3 && (err as { code?: string }).code === 'ERR_KEYS_ROTATION_RUNNING') {
        keys.forgetTenant(tenantId);
        continue;
      }
      throw err;
    }
  }
}

/** Opens every encrypted field of a row. */
export async function readRow(
  db: Database,
  keys: KeyService,
  tenantId: TenantId,
  table: EncryptedTableName,
  id: string,
): Promise<Values> {
  const spec = ENCRYPTED_TABLES[table];
  const row = await readEncryptedRow(db, spec, tenantId, id);
  if (row === undefined) throw new Error(`no row ${table}/${id}`);
  const out: Values = {};
  for (const f of rowFields(spec, row)) {
    out[f.field] = (
      await keys.openField(
        tenantId,
        { entity: spec.entity, field: f.field, recordId: id },
        f.envelope,
      )
    ).reveal();
  }
  return out;
}

export function valuesFor(table: EncryptedTableName, tag: string): Values {
  const out: Values = {};
  for (const f of FIXTURE_FIELDS[table]) out[f] = `${tag}:${table}:${f}`;
  return out;
}

/** `perTable` rows in every encrypted table; returns table → id → values. */
export async function seedTenant(
  db: Database,
  keys: KeyService,
  tenantId: TenantId,
  perTable: number,
  tag = 'v0',
): Promise<Map<string, { table: EncryptedTableName; values: Values }>> {
  const rows = new Map<string, { table: EncryptedTableName; values: Values }>();
  for (const table of TABLE_NAMES) {
    for (let i = 0; i < rowsPerTenant(table, perTable); i++) {
      const values = valuesFor(table, `${tag}-${i}`);
      const id = await insertRow(db, keys, tenantId, table, values);
      rows.set(id, { table, values });
    }
  }
  return rows;
}
