// An entry's sealed fields, through the encrypted-record path: the intent state a resumable holder
// saves sealed, and the response body. The payload row has the entry's id and remembers the
// generation of the holder that wrote it: an older holder (one whose entry was taken over) may not
// overwrite what a newer one wrote.
import { Secret, type TenantId } from '../../crypto/index.js';
import { ENCRYPTED_TABLES, fieldOfColumn } from '../../store/encrypted-fields.js';
import type { EncryptedRecords, RecordAuditEvent } from '../records/index.js';
import { leaseLost } from './refusals.js';

const TABLE = 'idempotency_payloads';
const SPEC = ENCRYPTED_TABLES[TABLE];
export const INTENT_FIELD = fieldOfColumn(SPEC, 'intent_env');
export const RESPONSE_FIELD = fieldOfColumn(SPEC, 'response_env');

/** The holder that writes: its entry and generation. */
export interface PayloadWriter {
  readonly id: string;
  readonly tenantId: TenantId;
  readonly generation: number;
}

/** Seals `text` into one field of the entry's payload, keeping the other. */
export async function writePayloadField(
  records: EncryptedRecords,
  w: PayloadWriter,
  field: string,
  text: string,
  audit: RecordAuditEvent,
): Promise<void> {
  const other = field === INTENT_FIELD ? RESPONSE_FIELD : INTENT_FIELD;
  await records.write({
    table: TABLE,
    tenantId: w.tenantId,
    key: { id: w.id },
    plan: (existing) => {
      if (existing !== undefined && Number(existing.row['generation']) > w.generation) {
        throw leaseLost();
      }
      return {
        seal: { [field]: new Secret(text) },
        keep: [other],
        columns: { generation: w.generation },
        audit,
      };
    },
  });
}

/** One field of an entry's payload opened, or undefined when there is none. */
export async function readPayloadField(
  records: EncryptedRecords,
  tenantId: TenantId,
  id: string,
  field: string,
): Promise<string | undefined> {
  const record = await records.find(TABLE, tenantId, { id });
  if (record === undefined) return undefined;
  return (await records.open(TABLE, tenantId, record, field))?.reveal();
}
