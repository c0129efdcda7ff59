// The Kysely table types: the one description of the schema that every repository is typed by.
// Conventions (both dialects): ids are text (UUIDv7 assigned by the application before insert);
// timestamps are ISO-8601 UTC text from `nowIso()` (fixed width, so text order is time order);
// counters and versions are 32-bit integers; JSON is stored as text; booleans are not used.

export type KeyKind = 'data' | 'index' | 'system' | 'audit' | 'fingerprint';
export type KeyState = 'primary' | 'decrypt-only' | 'retired';
export type JobState = 'pending' | 'running' | 'done' | 'failed';

export interface TenantsTable {
  id: string;
  name: string;
  created_at: string;
  /** Bumped on any change to the tenant's keys, so every node notices and reloads its keyring. */
  keyring_stamp: number;
  /** The id the platform knows the tenant by (unique where set); import creates tenants by it. */
  external_id: string | null;
}

export interface TenantKeysTable {
  id: string;
  /** null = a deployment key (the system key, the audit key). */
  tenant_id: string | null;
  kind: KeyKind;
  version: number;
  state: KeyState;
  /** The key material wrapped by the master key `master_key_id`. */
  wrapped: string;
  master_key_id: string;
  created_at: string;
  updated_at: string;
}

export interface KeyUsageTable {
  tenant_id: string;
  kind: KeyKind;
  version: number;
  /** Rows whose envelopes (or blind index) use this key version; kept in the writing transaction. */
  rows: number;
}

export interface ApiTokensTable {
  id: string;
  tenant_id: string | null;
  name: string;
  prefix: string;
  token_hash: string;
  /** JSON array of scope names. */
  scopes: string;
  created_by: string;
  expires_at: string | null;
  revoked_at: string | null;
  last_used_at: string | null;
  created_at: string;
}

export interface CredentialsTable {
  id: string;
  tenant_id: string;
  provider: string;
  public_json: string;
  /** JSON object: field → envelope. */
  secrets_json: string;
  /** JSON object: field → { last4 }. */
  hints_json: string;
  key_version: number;
  created_at: string;
  updated_at: string;
}

export interface SecretsTable {
  id: string;
  tenant_id: string;
  name: string;
  value_env: string;
  last4: string | null;
  key_version: number;
  created_at: string;
  updated_at: string;
}

export interface PhonesTable {
  id: string;
  tenant_id: string;
  number_env: string;
  number_bidx: string;
  bidx_version: number;
  label: string | null;
  exotel_public_json: string | null;
  /** JSON object: field → envelope. */
  exotel_secrets_json: string | null;
  retell_json: string | null;
  /** ISO 3166 alpha-2 region of the number (migration 004). */
  country: string | null;
  /** libphonenumber's type of the number (PHONE_NUMBER_TYPES). */
  number_type: string | null;
  /** The provider that carries the number's calls. */
  provider: string | null;
  /** JSON array of tags. */
  tags_json: string;
  /** The tenant's SIP trunk row the number is on (migration 005). */
  trunk_id: string | null;
  /** Twilio's IncomingPhoneNumber sid (PN…) of a number telvault bought or attached. */
  twilio_sid: string | null;
  key_version: number;
  created_at: string;
  updated_at: string;
}

export interface TenantSettingsTable {
  tenant_id: string;
  default_country: string | null;
  /** JSON array of PHONE_NUMBER_TYPES. */
  allowed_number_types: string;
  /** JSON of the outbound limits policy a tenant set (per kind); null: the defaults. */
  limits_json: string | null;
  /** 1: Exotel phones without their own account call through the tenant's (migration 008). */
  exotel_fallback: number;
  /** JSON list of the regions calls and messages may go to; null: any (migration 008). */
  destination_countries: string | null;
  updated_at: string;
}

export interface SipTrunksTable {
  id: string;
  tenant_id: string;
  state: string;
  twilio_account_sid: string;
  trunk_sid: string | null;
  domain_name: string | null;
  credential_list_sid: string | null;
  credential_sid: string | null;
  username: string | null;
  password_env: string | null;
  termination_uri: string | null;
  steps_json: string | null;
  failed_step: string | null;
  error_json: string | null;
  lease_owner: string | null;
  lease_fence: number;
  lease_expires_at: string | null;
  origination_json: string | null;
  next_credential_sid: string | null;
  next_username: string | null;
  next_password_env: string | null;
  row_version: number;
  key_version: number;
  created_at: string;
  updated_at: string;
}

/** What `telvault import` made of each source record (no raw source id, no value). */
export interface ImportRecordsTable {
  /** Keyed hash (system key) of the source, the record's id and the target. */
  record_key: string;
  tenant_id: string;
  target: string;
  target_ref: string;
  /** Keyed hash of the record's values: unchanged records are skipped on a re-run. */
  fingerprint: string;
  created_at: string;
  updated_at: string;
}

export interface CommRecordsTable {
  id: string;
  tenant_id: string;
  provider: string;
  provider_id: string | null;
  to_env: string;
  to_bidx: string | null;
  from_value: string | null;
  status: string;
  error_code: string | null;
  /** The phone the request named (migration 008). */
  phone_id: string | null;
  /** Retell: the agent that placed the call. */
  agent_id: string | null;
  /** SHA-256 (hex) of the random token in an Exotel call's status callback URL. */
  hook_token_hash: string | null;
  /** Sealed: an SMS body; an email's `{ from, subject }` as JSON. */
  content_env: string | null;
  /** The status's place in its lifecycle: a status only moves forward. */
  status_rank: number;
  /** JSON `{ code, status, providerCode, retryable }` of a failed provider call. */
  error_json: string | null;
  key_version: number;
  created_at: string;
  updated_at: string;
}

export interface AuditEventsTable {
  id: string;
  /** null = the operator stream. */
  tenant_id: string | null;
  seq: number;
  at: string;
  actor: string;
  action: string;
  target: string;
  outcome: string;
  detail_json: string | null;
  prev_hash: string;
  hash: string;
}

/**
 * One row per audit stream: its last event (seq 0 and the genesis hash for a stream without events)
 * and where its keyed part starts, MAC'd with the audit key. Updated in the transaction that
 * appends, so deleting events at a stream's end (or the whole stream) is detectable.
 */
export interface AuditHeadsTable {
  /** The tenant id, or 'operator' for the operator stream. */
  stream: string;
  seq: number;
  hash: string;
  /** First seq whose hash is an HMAC under the audit key; the events before it are plain SHA-256. */
  keyed_from: number;
  mac: string;
  updated_at: string;
}

/** A tenant job's sealed parameters and result (migration 005). */
export interface JobRecordsTable {
  id: string;
  tenant_id: string;
  job_id: string;
  params_env: string | null;
  result_env: string | null;
  key_version: number;
  created_at: string;
  updated_at: string;
}

export interface JobsTable {
  id: string;
  kind: string;
  tenant_id: string | null;
  state: JobState;
  progress_done: number;
  progress_total: number;
  cursor: string | null;
  params_json: string | null;
  error: string | null;
  lease_owner: string | null;
  lease_expires_at: string | null;
  created_at: string;
  updated_at: string;
}

/** The platform's own provider credentials (migration 007): sealed under the system key. */
export interface PlatformCredentialsTable {
  provider: string;
  /** The record id bound into every envelope of the row. */
  id: string;
  public_json: string;
  /** JSON object: field → envelope. */
  secrets_json: string;
  /** JSON object: field → { last4 }. */
  hints_json: string;
  created_at: string;
  updated_at: string;
}

/** A tenant's Twilio sub-account under the platform's account (migration 007). */
export interface TwilioSubaccountsTable {
  tenant_id: string;
  /** Recorded before the create at Twilio: what a re-run looks the sub-account up by. */
  friendly_name: string;
  account_sid: string | null;
  lease_owner: string | null;
  lease_expires_at: string | null;
  created_at: string;
  updated_at: string;
}

export type MasterKeyState = 'current' | 'previous' | 'retired';

/** A master key by id (its material is never stored); at most one is current. */
export interface MasterKeysTable {
  id: string;
  state: MasterKeyState;
  created_at: string;
  updated_at: string;
}

/** A running node and the master key ids it holds (heartbeat in seen_at). */
export interface MasterKeyNodesTable {
  node_id: string;
  /** JSON array of master key ids, sorted. */
  key_ids: string;
  started_at: string;
  seen_at: string;
}

export type IdempotencyMode = 'once' | 'resumable';
export type IdempotencyState = 'running' | 'done';

/** One Idempotency-Key of a tenant (migration 006): no secret, the key and request are hashes. */
export interface IdempotencyKeysTable {
  id: string;
  tenant_id: string;
  key_hash: string;
  fingerprint: string;
  mode: IdempotencyMode;
  state: IdempotencyState;
  /** Bumped by every takeover; each write of a holder is conditioned on its own. */
  generation: number;
  lease_owner: string | null;
  lease_expires_at: string | null;
  sent_at: string | null;
  record_id: string | null;
  intent_json: string | null;
  /** 1: the intent state is the sealed `intent` field of the entry's payload. */
  intent_sealed: number;
  status: number | null;
  resource_id: string | null;
  /** null: kept until its resource is deleted. */
  expires_at: string | null;
  created_at: string;
  updated_at: string;
}

/** An idempotency entry's sealed fields (same id as the entry), in the encrypted-field registry. */
export interface IdempotencyPayloadsTable {
  id: string;
  tenant_id: string;
  generation: number;
  intent_env: string | null;
  response_env: string | null;
  key_version: number;
  created_at: string;
  updated_at: string;
}

/** A secret field's fingerprint for the leak check (migration 011). */
export interface SecretFingerprintsTable {
  table_name: string;
  record_id: string;
  field: string;
  tenant_id: string;
  fingerprint: string;
  created_at: string;
}

export interface SchemaMigrationsTable {
  version: number;
  name: string;
  applied_at: string;
}

/** Every table, as Kysely sees it. */
export interface Schema {
  tenants: TenantsTable;
  tenant_keys: TenantKeysTable;
  key_usage: KeyUsageTable;
  api_tokens: ApiTokensTable;
  credentials: CredentialsTable;
  secrets: SecretsTable;
  phones: PhonesTable;
  tenant_settings: TenantSettingsTable;
  sip_trunks: SipTrunksTable;
  call_records: CommRecordsTable;
  message_records: CommRecordsTable;
  email_records: CommRecordsTable;
  audit_events: AuditEventsTable;
  audit_heads: AuditHeadsTable;
  jobs: JobsTable;
  job_records: JobRecordsTable;
  master_keys: MasterKeysTable;
  master_key_nodes: MasterKeyNodesTable;
  idempotency_keys: IdempotencyKeysTable;
  idempotency_payloads: IdempotencyPayloadsTable;
  platform_credentials: PlatformCredentialsTable;
  twilio_subaccounts: TwilioSubaccountsTable;
  import_records: ImportRecordsTable;
  secret_fingerprints: SecretFingerprintsTable;
  schema_migrations: SchemaMigrationsTable;
}

export type TableName = keyof Schema;
