import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/database.js';
import { migrateToLatest } from '../../src/store/migrator.js';
import { MIGRATIONS } from '../../src/store/migrations/index.js';
import { createTestDatabase } from '../support/postgres.js';
import { DIALECTS, openTestStore, type TestStore } from './harness.js';

const TABLES = [
  'tenants',
  'tenant_keys',
  'key_usage',
  'api_tokens',
  'credentials',
  'secrets',
  'phones',
  'sip_trunks',
  'call_records',
  'message_records',
  'email_records',
  'audit_events',
  'jobs',
];

describe.each(DIALECTS)('database on %s', (dialect) => {
  let store: TestStore;
  beforeAll(async () => {
    store = await openTestStore(dialect, 'db');
  });
  afterAll(async () => {
    await store.close();
  });

  it('creates every table and records each migration once', async () => {
    for (const table of TABLES) {
      const r = await sql<{
        n: number | string;
      }>`select count(*) as n from ${sql.table(table)}`.execute(store.db);
      expect(Number(r.rows[0]?.n)).toBe(0);
    }
    const applied = await store.db.selectFrom('schema_migrations').select('version').execute();
    expect(applied.map((a) => a.version)).toEqual(MIGRATIONS.map((m) => m.version));
    expect(await migrateToLatest(store.db, dialect)).toEqual({ applied: [] });
  });

  it('enforces the unique constraints others rely on', async () => {
    const at = new Date().toISOString();
    const row = {
      tenant_id: 't',
      name: 'n',
      value_env: 'e',
      last4: null,
      key_version: 1,
      created_at: at,
      updated_at: at,
    };
    await store.db
      .insertInto('secrets')
      .values({ id: 'a', ...row })
      .execute();
    await expect(
      store.db
        .insertInto('secrets')
        .values({ id: 'b', ...row })
        .execute(),
    ).rejects.toThrow();
  });
});

function runChild(
  url: string,
  startAt: number,
): Promise<{ code: number | null; out: string; err: string }> {
  const script = fileURLToPath(new URL('./open-database-child.ts', import.meta.url));
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, url, String(startAt)], {
      stdio: 'pipe',
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

describe('two processes starting at once against an empty PostgreSQL database', () => {
  it('both come up with one set of migrations applied', async () => {
    const pgdb = await createTestDatabase('migrate_race');
    try {
      const startAt = Date.now() + 3000;
      const results = await Promise.all([1, 2, 3].map(() => runChild(pgdb.url, startAt)));
      for (const r of results) {
        expect(r.err.replace(/npm warn.*\n?/g, '')).toBe('');
        expect(r.code).toBe(0);
        expect(JSON.parse(r.out)).toEqual(MIGRATIONS.map((m) => m.version));
      }
      const opened = await openDatabase({ databaseUrl: pgdb.url, dataDir: '', migrate: false });
      const rows = await opened.db.selectFrom('schema_migrations').selectAll().execute();
      expect(rows.length).toBe(MIGRATIONS.length);
      await opened.close();
    } finally {
      await pgdb.drop();
    }
  });
});
