// The tenant's trunk row, written only through the encrypted-record path: created once (with the
// SIP password generated and sealed before anything is sent), then every recorded step written
// under the lease, as an update conditioned on `lease_fence` = the writer's.
import type { Secret, TenantId } from '../../crypto/index.js';
import { TelvaultError } from '../../errors.js';
import type { ColumnValue } from '../../store/encrypted-record-repo.js';
import { fieldOfColumn, ENCRYPTED_TABLES } from '../../store/encrypted-fields.js';
import type { TrunkLease } from '../../store/trunk-lease-repo.js';
import type { Actor } from '../audit/actor.js';
import type { EncryptedRecords, StoredRecord } from '../records/index.js';
import { generateSipPassword, sipUsername } from './trunk-names.js';

export const TRUNK_TABLE = 'sip_trunks' as const;
const spec = ENCRYPTED_TABLES[TRUNK_TABLE];
export const PASSWORD_FIELD = fieldOfColumn(spec, 'password_env');
export const NEXT_PASSWORD_FIELD = fieldOfColumn(spec, 'next_password_env');

/** The non-envelope columns the workflow writes (lease columns excepted: trunk-lease-repo). */
export const TRUNK_COLUMNS = [
  'state',
  'twilio_account_sid',
  'trunk_sid',
  'domain_name',
  'credential_list_sid',
  'credential_sid',
  'username',
  'termination_uri',
  'steps_json',
  'failed_step',
  'error_json',
  'origination_json',
  'next_credential_sid',
  'next_username',
] as const;
export type TrunkColumn = (typeof TRUNK_COLUMNS)[number];
export type TrunkColumns = Record<TrunkColumn, string | null>;

export function columnsOf(r: StoredRecord): TrunkColumns {
  const out = {} as TrunkColumns;
  for (const c of TRUNK_COLUMNS) {
    const v = r.row[c];
    out[c] = typeof v === 'string' ? v : null;
  }
  return out;
}

class RowExists extends Error {}

/** The tenant's trunk row, created if absent (concurrent creators: one row, the others read it). */
export async function ensureTrunkRow(
  records: EncryptedRecords,
  tenantId: TenantId,
  accountSid: string,
  actor: Actor,
): Promise<StoredRecord> {
  const found = await records.find(TRUNK_TABLE, tenantId, {});
  if (found !== undefined) return found;
  try {
    return await records.write({
      table: TRUNK_TABLE,
      tenantId,
      key: {},
      plan: (existing) => {
        if (existing !== undefined) throw new RowExists();
        const columns: Record<string, ColumnValue> = {
          state: 'provisioning',
          twilio_account_sid: accountSid,
          username: sipUsername(tenantId),
          steps_json: '{}',
          origination_json: '[]',
        };
        return {
          seal: { [PASSWORD_FIELD]: generateSipPassword() },
          keep: [],
          columns,
          audit: { actor, action: 'trunk.setup.start', target: 'trunk' },
        };
      },
    });
  } catch (err) {
    if (!(err instanceof RowExists)) throw err;
    const row = await records.find(TRUNK_TABLE, tenantId, {});
    if (row === undefined) throw err;
    return row;
  }
}

export interface StepWrite {
  columns: Partial<TrunkColumns>;
  /** Fresh envelopes (the generated or adopted password). */
  seal?: Readonly<Record<string, Secret<string>>>;
  /** Envelope fields to drop (the second credential's password once rotation is over). */
  drop?: readonly string[];
  action: string;
  detail?: Record<string, string | number | boolean | string[] | null>;
}

/** Writes one recorded step under the lease; ERR_RECORD_CONDITION_FAILED once it is lost. */
export function writeStep(
  records: EncryptedRecords,
  tenantId: TenantId,
  lease: TrunkLease,
  actor: Actor,
  w: StepWrite,
): Promise<StoredRecord> {
  return records.write({
    table: TRUNK_TABLE,
    tenantId,
    key: {},
    plan: (existing) => {
      const base = existing === undefined ? undefined : columnsOf(existing);
      const keep = [PASSWORD_FIELD, NEXT_PASSWORD_FIELD].filter(
        (f) => !(w.drop ?? []).includes(f) && !(f in (w.seal ?? {})),
      );
      return {
        seal: w.seal ?? {},
        keep,
        columns: { ...base, ...w.columns },
        expect: { lease_owner: lease.owner, lease_fence: lease.fence },
        audit: {
          actor,
          action: w.action,
          target: 'trunk',
          ...(w.detail === undefined ? {} : { detail: w.detail }),
        },
      };
    },
  });
}

/**
 * The SIP auth Retell numbers must hold now: the second credential's while a password rotation
 * is moving numbers to it (repair and purchases use the new username), else the trunk's own.
 */
export async function currentSipAuth(
  records: EncryptedRecords,
  tenantId: TenantId,
  r: StoredRecord,
): Promise<{ username: string; password: Secret<string> }> {
  const c = columnsOf(r);
  const next = c.next_username !== null && c.next_credential_sid !== null;
  const username = next ? c.next_username : c.username;
  const field = next ? NEXT_PASSWORD_FIELD : PASSWORD_FIELD;
  const password = await records.open(TRUNK_TABLE, tenantId, r, field);
  if (username === null || password === undefined) {
    throw new TelvaultError('ERR_INTERNAL', 'trunks: the trunk holds no SIP credential');
  }
  return { username, password };
}

/** The host a termination URI names (`sip:`, a port and `;params` aside), lower case. */
export function terminationHost(uri: string | null): string | null {
  if (uri === null || uri === '') return null;
  return uri
    .trim()
    .replace(/^sips?:/i, '')
    .replace(/[;:].*$/, '')
    .toLowerCase();
}
