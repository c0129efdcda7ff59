// A stored phone as the API shows it: the number in E.164 to its own tenant, masked to the root
// token; the Exotel key and token only as { set, last4? }.
import type { TenantId } from '../../crypto/index.js';
import { maskPhones } from '../common/logger.js';
import { secretFieldViewOf } from '../common/secret-field.js';
import type { EncryptedRecords, StoredRecord } from '../records/index.js';
import type { PhoneNumberType } from './phone-number.js';
import type { PhoneProvider, PhoneView } from './phone-schemas.js';
import type { EXOTEL_SUBDOMAINS } from '../credentials/providers.js';

/** exotel_public_json: the account's plain fields and the hints of its sealed ones. */
export interface PhoneExotelPublic {
  sid: string;
  subdomain: (typeof EXOTEL_SUBDOMAINS)[number];
  /** The flow a call from the phone runs unless the call names one. */
  flowUrl?: string;
  hints: { apiKey?: string; apiToken?: string };
}

/** retell_json: the agent ids stored for the number, and whether Retell has them. */
export interface PhoneRetell {
  inboundAgentId: string | null;
  outboundAgentId: string | null;
  /** True when the last change of the ids was pushed to Retell (it knows the number). */
  synced: boolean;
}

export const NUMBER_FIELD = 'number';
export const EXOTEL_KEY_FIELD = 'exotel.apiKey';
export const EXOTEL_TOKEN_FIELD = 'exotel.apiToken';

function parsed<T>(text: unknown): T | null {
  return typeof text === 'string' ? (JSON.parse(text) as T | null) : null;
}

export function exotelOf(record: StoredRecord): PhoneExotelPublic | null {
  return parsed<PhoneExotelPublic>(record.row['exotel_public_json']);
}

export function retellOf(record: StoredRecord): PhoneRetell {
  const r = parsed<Partial<PhoneRetell>>(record.row['retell_json']);
  return {
    inboundAgentId: r?.inboundAgentId ?? null,
    outboundAgentId: r?.outboundAgentId ?? null,
    synced: r?.synced ?? false,
  };
}

export function tagsOf(record: StoredRecord): string[] {
  return parsed<string[]>(record.row['tags_json']) ?? [];
}

export async function phoneViewOf(
  records: EncryptedRecords,
  tenantId: TenantId,
  record: StoredRecord,
  showNumber: boolean,
): Promise<PhoneView> {
  const { row } = record;
  const number = (await records.open('phones', tenantId, record, NUMBER_FIELD))?.reveal() ?? '';
  const exotel = exotelOf(record);
  return {
    id: row.id,
    number: showNumber ? number : maskPhones(number),
    country: typeof row['country'] === 'string' ? row['country'] : '',
    numberType: (typeof row['number_type'] === 'string'
      ? row['number_type']
      : 'UNKNOWN') as PhoneNumberType,
    label: typeof row['label'] === 'string' ? row['label'] : null,
    tags: tagsOf(record),
    provider: String(row['provider']) as PhoneProvider,
    exotel:
      exotel === null
        ? null
        : {
            sid: exotel.sid,
            subdomain: exotel.subdomain,
            flowUrl: exotel.flowUrl ?? null,
            apiKey: secretFieldViewOf(exotel.hints.apiKey),
            apiToken: secretFieldViewOf(exotel.hints.apiToken),
          },
    retell: retellOf(record),
    twilio:
      typeof row['twilio_sid'] === 'string'
        ? { sid: row['twilio_sid'], onTrunk: typeof row['trunk_id'] === 'string' }
        : null,
    createdAt: String(row['created_at']),
    updatedAt: String(row['updated_at']),
  };
}
