// Plants canary values in every encrypted field and proves they are stored only as envelopes: raw
// rows read back with plain SQL, the SQLite file and its WAL read as bytes, a pg_dump of the
// PostgreSQL database.
import { execFileSync } from 'node:child_process';
import type { TenantId } from '../../src/crypto/index.js';
import { existsSync, readFileSync } from 'node:fs';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isEnvelope } from '../../src/crypto/index.js';
import { createKeyService, type KeyService } from '../../src/services/keys/key-service.js';
import { createTenantService } from '../../src/services/tenants/tenant-service.js';
import { ENCRYPTED_TABLE_LIST, rowFields } from '../../src/store/encrypted-fields.js';
import { sqliteFilePath } from '../../src/store/sqlite-dialect.js';
import { POSTGRES_ADMIN_URL } from '../support/postgres.js';
import { DIALECTS, openTestStore, randomMasterKey, type TestStore } from './harness.js';
import { insertRow, FIXTURE_FIELDS, rowsPerTenant, TABLE_NAMES } from './fixtures.js';

const CANARY = 'CANARY-7f3a9c';

describe.each(DIALECTS)('no plaintext at rest on %s', (dialect) => {
  let store: TestStore;
  let keys: KeyService;
  let tenantId: TenantId;
  const canaries: string[] = [];

  beforeAll(async () => {
    store = await openTestStore(dialect, 'canary');
    keys = createKeyService({ db: store.db, masterKeys: { current: randomMasterKey() } });
    await keys.ensureSystemKey();
    tenantId = (await createTenantService({ db: store.db, keys }).createTenant({ name: 'c' })).id;
    for (const table of TABLE_NAMES) {
      for (let i = 0; i < rowsPerTenant(table, 3); i++) {
        const values: Record<string, string> = {};
        for (const f of FIXTURE_FIELDS[table]) {
          values[f] = `${CANARY}-${table}-${f}-${i}`;
          canaries.push(values[f]);
        }
        await insertRow(store.db, keys, tenantId, table, values);
      }
    }
  });
  afterAll(async () => {
    await store.close();
  });

  it('stores every encrypted column as an envelope (plain SQL read-back)', async () => {
    let seen = 0;
    for (const spec of ENCRYPTED_TABLE_LIST) {
      const r = await sql<Record<string, unknown>>`select * from ${sql.table(spec.table)}`.execute(
        store.db,
      );
      expect(r.rows.length).toBe(rowsPerTenant(spec.table, 3));
      for (const row of r.rows) {
        const fields = rowFields(spec, row);
        expect(fields.length).toBe(FIXTURE_FIELDS[spec.table].length);
        for (const f of fields) {
          expect(isEnvelope(f.envelope)).toBe(true);
          seen++;
        }
        for (const v of Object.values(row)) expect(String(v)).not.toContain(CANARY);
      }
    }
    expect(seen).toBe(canaries.length);
  });

  it('leaves no canary anywhere in the database files or dump', async () => {
    let haystack: Buffer;
    if (dialect === 'sqlite') {
      await sql`pragma wal_checkpoint(FULL)`.execute(store.db);
      const file = sqliteFilePath(store.dataDir);
      const parts = [file, `${file}-wal`, `${file}-shm`].filter((p) => existsSync(p));
      haystack = Buffer.concat(parts.map((p) => readFileSync(p)));
      expect(haystack.length).toBeGreaterThan(0);
    } else {
      const url = new URL(POSTGRES_ADMIN_URL);
      haystack = execFileSync(
        'pg_dump',
        [
          '-h',
          url.hostname,
          '-p',
          url.port || '5432',
          '-U',
          url.username,
          '-d',
          store.pgName ?? '',
        ],
        { maxBuffer: 64 * 1024 * 1024 },
      );
      expect(haystack.toString()).toContain('secrets');
    }
    expect(haystack.includes(CANARY)).toBe(false);
    // The same search finds a value that is stored in the clear (the search works).
    expect(haystack.includes('twilio')).toBe(true);
  });
});
