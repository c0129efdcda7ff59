// `telvault migrate` end to end: a SQLite deployment holding every kind of record (support.ts),
// its tenant keys rotated while it served and its master key rotated while it was stopped, copied
// into a fresh PostgreSQL database. Then the same telvault is served from each, and every GET of
// the API answers the same (every-get.ts); every audit chain verifies on PostgreSQL through the
// API; the copy's row counts and keyed digests equal the source's; and the envelopes are the
// source's, byte for byte (copied, never re-encrypted).
import { sql } from 'kysely';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Secret } from '../../src/crypto/index.js';
import type { MigrateReport } from '../../src/services/migrate/index.js';
import { openDatabase } from '../../src/store/database.js';
import { COPY_TABLES } from '../../src/store/table-copy.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { startTestSandbox, type TestSandbox } from '../support/sandbox.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { compareEveryGet } from './every-get.js';
import {
  buildDeployment,
  digestsOf,
  migrateInProcess,
  rotateMasterKeyOffline,
  type DeploymentTenant,
} from './support.js';

describe('telvault migrate: a SQLite deployment with every kind of record to PostgreSQL', () => {
  let sb: TestSandbox;
  let built: TestServer;
  let tenants: DeploymentTenant[];
  let masterKey: Secret<string>;
  let target: TestDatabase;
  let report: MigrateReport;
  let migrateOutput: string;
  let digests: Record<'source' | 'target', Awaited<ReturnType<typeof digestsOf>>>;
  let onSqlite: TestServer | undefined;
  let onPostgres: TestServer | undefined;

  beforeAll(async () => {
    sb = await startTestSandbox();
    const config = { providers: 'sandbox' as const, sandboxUrl: sb.url };
    built = await startTestServer('sqlite', { logLevel: 'warn', config });
    tenants = await buildDeployment(built, sb);
    // Stopped (its data kept), then its master key rotated: the copy needs only the new one.
    await built.server.close();
    masterKey = await rotateMasterKeyOffline(built);
    target = await createTestDatabase('migrate');
    const r = await migrateInProcess(
      { TELVAULT_DATA_DIR: built.dataDir, TELVAULT_MASTER_KEY: masterKey.reveal() },
      ['--to', target.url, '--json'],
    );
    migrateOutput = r.all;
    expect(r.code, r.all).toBe(0);
    report = JSON.parse(r.out) as MigrateReport;
    // Counts and digests with a key of the test's own, before a server writes to either side.
    const key = randomBytes(32);
    const src = await openDatabase({ dataDir: built.dataDir, migrate: false });
    const dst = await openDatabase({ dataDir: '', databaseUrl: target.url, migrate: false });
    try {
      digests = { source: await digestsOf(src.db, key), target: await digestsOf(dst.db, key) };
    } finally {
      await src.close();
      await dst.close();
    }
    const reuse = { ...built, masterKey };
    onSqlite = await startTestServer('sqlite', { logLevel: 'warn', reuse, config });
    onPostgres = await startTestServer('sqlite', {
      logLevel: 'warn',
      reuse,
      config: { ...config, databaseUrl: target.url },
    });
  }, 180_000);

  afterAll(async () => {
    await onPostgres?.server.close();
    await onSqlite?.close();
    await new Promise((r) => setTimeout(r, 200));
    await target?.drop();
    await sb?.close();
  });

  it('copied every table, each with rows, and its own checks passed', () => {
    expect(report).toMatchObject({ ok: true, run: 'fresh', problems: [] });
    expect(report.tables.map((t) => t.table)).toEqual(COPY_TABLES.map((t) => t.table));
    const empty = report.tables.filter((t) => t.sourceRows === 0).map((t) => t.table);
    // master_key_nodes: a stopped node removes its own row; nothing else may be missing.
    expect(empty).toEqual(['master_key_nodes']);
    for (const t of report.tables) {
      expect(t, t.table).toMatchObject({ targetRows: t.sourceRows, digestMatch: true });
      expect(t.inserted, t.table).toBe(t.sourceRows);
    }
    expect(report.audit).toMatchObject({ sourceOk: true, targetOk: true, problems: [] });
    expect(report.audit?.streams).toBeGreaterThan(tenants.length);
    expect(report.rows).toBeGreaterThan(200);
    expect(migrateOutput).not.toContain(masterKey.reveal());
  });

  it('the target holds the same rows: counts and keyed digests, computed with a key of its own', () => {
    expect(Object.keys(digests.target)).toEqual(COPY_TABLES.map((t) => t.table));
    expect(digests.target).toEqual(digests.source);
  });

  it('serves every GET of the API from PostgreSQL exactly as from SQLite', async () => {
    if (onSqlite === undefined || onPostgres === undefined) throw new Error('servers not started');
    const c = await compareEveryGet(onSqlite, onPostgres, tenants);
    const gets = [
      ...onSqlite.server.routes.filter((r) => r.method === 'GET').map((r) => r.operationId),
      'openapi',
      'getTrunk live',
    ];
    // Every GET route answered 2xx at least once on both (with the data filled in), none skipped.
    expect([...c.answered.keys()].sort()).toEqual([...new Set(gets)].sort());
    expect(c.requests).toBeGreaterThan(200);
  }, 120_000);

  it('verifies every audit chain on PostgreSQL through the API, and the envelopes are the source bytes', async () => {
    if (onPostgres === undefined) throw new Error('server not started');
    const op = await onPostgres.request('POST', '/v1/audit/verify', {
      token: onPostgres.rootToken,
    });
    expect(op.status, op.text).toBe(200);
    expect(op.json).toMatchObject({ ok: true });
    for (const t of tenants) {
      const r = await onPostgres.request('POST', `/v1/tenants/${t.tenantId}/audit/verify`, {
        token: onPostgres.rootToken,
      });
      expect(r.json, t.tenantId).toMatchObject({ ok: true });
    }
    // A sealed field read raw on both sides: the same ciphertext (nothing was re-encrypted).
    const q = sql<{ id: string; value_env: string }>`select id, value_env from secrets order by id`;
    const src = await openDatabase({ dataDir: built.dataDir, migrate: false });
    try {
      const a = (await q.execute(src.db)).rows;
      const b = (await q.execute(onPostgres.server.database.db)).rows;
      expect(a.length).toBeGreaterThan(0);
      expect(b).toEqual(a);
      expect(a[0]?.value_env).toMatch(/^tv1\./);
    } finally {
      await src.close();
    }
  });
});
