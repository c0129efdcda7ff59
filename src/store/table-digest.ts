// A keyed digest of a table's rows, computed the same way on either dialect (through Kysely), so a
// copy can be checked row for row without printing or comparing the rows themselves. Each row is
// encoded canonically (its columns sorted by name, as JSON: types count, 1 is not "1") and MAC'd
// with HMAC-SHA256 under the caller's key; the row MACs are combined by XOR, which does not depend
// on the order rows are read in. That matters: SQLite orders text bytewise and PostgreSQL by the
// database's collation, so "primary-key order" differs between them, and forcing one order on
// PostgreSQL (COLLATE "C") would leave its primary-key index unused. A row missing, added,
// duplicated under another key or changed in any column changes the digest; the row count is
// MAC'd in too. The key is the caller's (random per run), so a digest is no reusable fingerprint.
import { createHmac } from 'node:crypto';
import type { Database } from './database.js';
import {
  keyOf,
  readRowsAfter,
  type CopyRow,
  type CopyTable,
  type CopyValue,
} from './table-copy.js';

/** Domain separation of the digest's MACs. Do not change (digests of two versions must differ). */
const DIGEST_CONTEXT = 'telvault/table-digest/v1';

export interface TableDigest {
  rows: number;
  /** Hex HMAC-SHA256; meaningful only next to a digest made with the same key. */
  digest: string;
}

function canonical(row: CopyRow): string {
  return JSON.stringify(
    Object.keys(row)
      .sort()
      .map((c) => [c, row[c]]),
  );
}

export async function digestTable(
  db: Database,
  spec: CopyTable,
  key: Uint8Array,
  options: { batchSize?: number; onRows?: (n: number) => void } = {},
): Promise<TableDigest> {
  const batch = options.batchSize ?? 1000;
  const acc = Buffer.alloc(32);
  let rows = 0;
  let after: CopyValue[] | null = null;
  for (;;) {
    const page = await readRowsAfter(db, spec, after, batch);
    for (const row of page) {
      const mac = createHmac('sha256', key).update(`${DIGEST_CONTEXT}\n`).update(canonical(row));
      const d = mac.digest();
      for (let i = 0; i < 32; i++) acc[i] = (acc[i] ?? 0) ^ (d[i] ?? 0);
    }
    rows += page.length;
    options.onRows?.(page.length);
    const last = page[page.length - 1];
    if (last === undefined || page.length < batch) break;
    after = keyOf(spec, last);
  }
  const digest = createHmac('sha256', key)
    .update(`${DIGEST_CONTEXT}\n${spec.table}\n${rows}\n`)
    .update(acc)
    .digest('hex');
  return { rows, digest };
}
