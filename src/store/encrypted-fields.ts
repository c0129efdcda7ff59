// The registry of every encrypted field, per table. Rotation re-encrypts a tenant's fields through
// it, tenant deletion walks it, and the canary tests read it: a table with envelopes that is not
// listed here would be skipped by rotation, so add new tables here in the same change.
//
// The envelope of a field is bound to { tenantId, entity, field, recordId: the row id }; entity and
// field names are logical and stored-format relevant: do not rename.

export type EncryptedTableName =
  | 'credentials'
  | 'secrets'
  | 'phones'
  | 'sip_trunks'
  | 'call_records'
  | 'message_records'
  | 'email_records'
  | 'job_records'
  | 'idempotency_payloads';

export interface EncryptedTableSpec {
  table: EncryptedTableName;
  /** Logical entity name in the envelope context. */
  entity: string;
  /** Plain envelope columns (nullable ones allowed) → field name. */
  columns: Readonly<Record<string, string>>;
  /** JSON-object columns `{ key: envelope }` → field-name prefix (field = prefix + key). */
  jsonColumns: Readonly<Record<string, string>>;
  /**
   * Blind-index column, the column holding its index key version (null: read it from the index
   * text), and the encrypted field whose (normalized) plaintext it indexes.
   */
  blindIndex: { column: string; versionColumn: string | null; field: string } | null;
  /** A column bumped on every change, so optimistic writers notice a re-encryption. */
  rowVersionColumn: string | null;
}

function spec(s: EncryptedTableSpec): EncryptedTableSpec {
  return Object.freeze(s);
}

export const ENCRYPTED_TABLES: Readonly<Record<EncryptedTableName, EncryptedTableSpec>> =
  Object.freeze({
    credentials: spec({
      table: 'credentials',
      entity: 'credential',
      columns: {},
      jsonColumns: { secrets_json: '' },
      blindIndex: null,
      rowVersionColumn: null,
    }),
    secrets: spec({
      table: 'secrets',
      entity: 'secret',
      columns: { value_env: 'value' },
      jsonColumns: {},
      blindIndex: null,
      rowVersionColumn: null,
    }),
    phones: spec({
      table: 'phones',
      entity: 'phone',
      columns: { number_env: 'number' },
      jsonColumns: { exotel_secrets_json: 'exotel.' },
      blindIndex: { column: 'number_bidx', versionColumn: 'bidx_version', field: 'number' },
      rowVersionColumn: null,
    }),
    sip_trunks: spec({
      table: 'sip_trunks',
      entity: 'sip-trunk',
      columns: { password_env: 'password', next_password_env: 'nextPassword' },
      jsonColumns: {},
      blindIndex: null,
      rowVersionColumn: 'row_version',
    }),
    call_records: spec({
      table: 'call_records',
      entity: 'call',
      columns: { to_env: 'to' },
      jsonColumns: {},
      blindIndex: { column: 'to_bidx', versionColumn: null, field: 'to' },
      rowVersionColumn: null,
    }),
    message_records: spec({
      table: 'message_records',
      entity: 'message',
      columns: { to_env: 'to', content_env: 'content' },
      jsonColumns: {},
      blindIndex: { column: 'to_bidx', versionColumn: null, field: 'to' },
      rowVersionColumn: null,
    }),
    email_records: spec({
      table: 'email_records',
      entity: 'email',
      columns: { to_env: 'to', content_env: 'content' },
      jsonColumns: {},
      blindIndex: { column: 'to_bidx', versionColumn: null, field: 'to' },
      rowVersionColumn: null,
    }),
    job_records: spec({
      table: 'job_records',
      entity: 'job',
      columns: { params_env: 'params', result_env: 'result' },
      jsonColumns: {},
      blindIndex: null,
      rowVersionColumn: null,
    }),
    // The sealed intent state and response of an idempotency entry (services/idempotency).
    idempotency_payloads: spec({
      table: 'idempotency_payloads',
      entity: 'idempotency',
      columns: { intent_env: 'intent', response_env: 'response' },
      jsonColumns: {},
      blindIndex: null,
      rowVersionColumn: null,
    }),
  });

export const ENCRYPTED_TABLE_LIST: readonly EncryptedTableSpec[] = Object.values(ENCRYPTED_TABLES);

/**
 * The secret fields (registry names) the leak check fingerprints, per table, with the provider
 * they belong to (null: read it from the credential row). Phone numbers, call records, job and
 * idempotency payloads are not credentials and are never fingerprinted.
 */
export const FINGERPRINTED_FIELDS: Readonly<
  Partial<Record<EncryptedTableName, { fields: readonly string[]; provider: string | null }>>
> = Object.freeze({
  credentials: {
    fields: ['authToken', 'apiKeySecret', 'apiKey', 'apiToken', 'webhookKey'],
    provider: null,
  },
  secrets: { fields: ['value'], provider: 'secret' },
  phones: { fields: ['exotel.apiKey', 'exotel.apiToken'], provider: 'exotel' },
  sip_trunks: { fields: ['password', 'nextPassword'], provider: 'twilio' },
});

/** One encrypted field found in a row. */
export interface RowField {
  column: string;
  /** Set for a JSON-map column: the map key. */
  jsonKey: string | null;
  field: string;
  envelope: string;
}

/** The encrypted columns to read for a table. */
export function encryptedColumns(s: EncryptedTableSpec): string[] {
  return [...Object.keys(s.columns), ...Object.keys(s.jsonColumns)];
}

function parseMap(text: string): Record<string, unknown> {
  const parsed: unknown = JSON.parse(text);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error('encrypted JSON column is not an object');
  }
  return parsed as Record<string, unknown>;
}

/** Every envelope of a row, with its field name. */
export function rowFields(s: EncryptedTableSpec, row: Record<string, unknown>): RowField[] {
  const out: RowField[] = [];
  for (const [column, field] of Object.entries(s.columns)) {
    const v = row[column];
    if (typeof v === 'string') out.push({ column, jsonKey: null, field, envelope: v });
  }
  for (const [column, prefix] of Object.entries(s.jsonColumns)) {
    const v = row[column];
    if (typeof v !== 'string') continue;
    for (const [key, env] of Object.entries(parseMap(v))) {
      if (typeof env === 'string')
        out.push({ column, jsonKey: key, field: prefix + key, envelope: env });
    }
  }
  return out;
}

/** The column values of a row after replacing its envelopes (same order as `rowFields`). */
export function withEnvelopes(
  s: EncryptedTableSpec,
  row: Record<string, unknown>,
  fields: readonly RowField[],
  envelopes: readonly string[],
): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const column of Object.keys(s.columns)) {
    const v = row[column];
    out[column] = typeof v === 'string' ? v : null;
  }
  const maps: Record<string, Record<string, unknown>> = {};
  for (const column of Object.keys(s.jsonColumns)) {
    const v = row[column];
    if (typeof v === 'string') maps[column] = parseMap(v);
    else out[column] = null;
  }
  fields.forEach((f, i) => {
    const env = envelopes[i] ?? f.envelope;
    if (f.jsonKey === null) out[f.column] = env;
    else {
      const map = maps[f.column];
      if (map !== undefined) map[f.jsonKey] = env;
    }
  });
  for (const [column, map] of Object.entries(maps)) out[column] = JSON.stringify(map);
  return out;
}

/** Where a field's envelope is stored: a plain column, or a key of a JSON-map column. */
export function fieldPlacement(
  s: EncryptedTableSpec,
  field: string,
): { column: string; jsonKey: string | null } {
  for (const [column, f] of Object.entries(s.columns)) {
    if (f === field) return { column, jsonKey: null };
  }
  for (const [column, prefix] of Object.entries(s.jsonColumns)) {
    if (field.startsWith(prefix) && field.length > prefix.length) {
      return { column, jsonKey: field.slice(prefix.length) };
    }
  }
  throw new Error(`${s.table}: "${field}" is not an encrypted field of this table`);
}

/**
 * The envelope columns of a row holding exactly `envelopes` (field → envelope): every encrypted
 * column of the table, a plain column null when its field is absent, a JSON map `{}` when empty.
 * The inverse of `rowFields`.
 */
export function envelopeColumns(
  s: EncryptedTableSpec,
  envelopes: Readonly<Record<string, string>>,
): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  const maps: Record<string, Record<string, string>> = {};
  for (const column of Object.keys(s.columns)) out[column] = null;
  for (const column of Object.keys(s.jsonColumns)) maps[column] = {};
  for (const [field, env] of Object.entries(envelopes)) {
    const { column, jsonKey } = fieldPlacement(s, field);
    if (jsonKey === null) out[column] = env;
    else (maps[column] ??= {})[jsonKey] = env;
  }
  for (const [column, map] of Object.entries(maps)) out[column] = JSON.stringify(map);
  return out;
}

/** The registry's field name of a plain envelope column (so services never restate it). */
export function fieldOfColumn(s: EncryptedTableSpec, column: string): string {
  const field = s.columns[column];
  if (field === undefined) throw new Error(`${s.table}: ${column} is not an envelope column`);
  return field;
}
