// Re-encrypts one batch of a table's rows to a target data key. Rows are read and re-sealed
// outside any transaction, then written in one transaction with compare-and-set on the whole
// encrypted content: a row changed in between is not overwritten but re-read and redone.
import {
  envelopeKeyId,
  openField,
  sealField,
  type DataKey,
  type Keyring,
  type TenantId,
} from '../../../crypto/index.js';
import { TelvaultError } from '../../../errors.js';
import type { Database } from '../../../store/database.js';
import {
  compareAndSetEnvelopesMany,
  readEncryptedRow,
  type EncryptedRow,
} from '../../../store/encrypted-row-repo.js';
import {
  rowFields,
  withEnvelopes,
  type EncryptedTableSpec,
} from '../../../store/encrypted-fields.js';
import { shiftKeyUsage } from '../../../store/key-usage-repo.js';

export interface RotationHooks {
  /** Called between the read of a row and its write (tests force interleavings here). */
  beforeRowWrite?: (row: { table: string; id: string }) => Promise<void> | void;
}

export interface BatchTarget {
  db: Database;
  tenantId: TenantId;
  spec: EncryptedTableSpec;
  keyring: Keyring;
  target: DataKey;
  hooks?: RotationHooks | undefined;
}

interface Planned {
  read: EncryptedRow;
  columns: Record<string, string | null>;
}

/** The new encrypted columns of a row under the target key, or null when already there. */
function plan(t: BatchTarget, row: EncryptedRow): Planned | null {
  const fields = rowFields(t.spec, row);
  const onTarget = fields.every((f) => envelopeKeyId(f.envelope) === t.target.id);
  if (onTarget && row.key_version === t.target.version) return null;
  const envelopes = fields.map((f) => {
    if (envelopeKeyId(f.envelope) === t.target.id) return f.envelope;
    const ctx = { tenantId: t.tenantId, entity: t.spec.entity, field: f.field, recordId: row.id };
    const bytes = openField(t.keyring, f.envelope, ctx);
    try {
      return sealField(t.target, bytes, ctx);
    } finally {
      bytes.fill(0);
    }
  });
  return { read: row, columns: withEnvelopes(t.spec, row, fields, envelopes) };
}

/** Writes planned rows in one transaction; returns the rows whose compare-and-set failed. */
async function writePlanned(t: BatchTarget, planned: readonly Planned[]): Promise<EncryptedRow[]> {
  return t.db.transaction().execute(async (trx) => {
    const written = await compareAndSetEnvelopesMany(trx, t.spec, planned, t.target.version);
    const lost: EncryptedRow[] = [];
    const moved = new Map<number, number>();
    for (const p of planned) {
      const from = p.read.key_version;
      if (written.has(p.read.id)) moved.set(from, (moved.get(from) ?? 0) + 1);
      else lost.push(p.read);
    }
    for (const [from, rows] of moved) {
      await shiftKeyUsage(trx, t.tenantId, 'data', { from, to: t.target.version, rows });
    }
    return lost;
  });
}

const MAX_ATTEMPTS = 20;

/** Re-encrypts `rows`; returns how many were written (the rest were already on the target). */
export async function reencryptRows(
  t: BatchTarget,
  rows: readonly EncryptedRow[],
): Promise<number> {
  let written = 0;
  let pending: EncryptedRow[] = [...rows];
  for (let attempt = 0; pending.length > 0; attempt++) {
    if (attempt === MAX_ATTEMPTS) {
      throw new TelvaultError(
        'ERR_KEYS_ROTATION_CONFLICT',
        `rows of ${t.spec.table} keep changing`,
      );
    }
    const planned: Planned[] = [];
    for (const row of pending) {
      const p = plan(t, row);
      if (p !== null) planned.push(p);
    }
    for (const p of planned)
      await t.hooks?.beforeRowWrite?.({ table: t.spec.table, id: p.read.id });
    const lost = planned.length === 0 ? [] : await writePlanned(t, planned);
    written += planned.length - lost.length;
    // A concurrent write won: read the row again (gone = deleted, nothing to do) and redo it.
    pending = [];
    for (const r of lost) {
      const again = await readEncryptedRow(t.db, t.spec, t.tenantId, r.id);
      if (again !== undefined) pending.push(again);
    }
  }
  return written;
}
