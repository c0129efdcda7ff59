// `telvault migrate` killed with SIGKILL (its own process, as an operator's would die) at several
// points of the copy, run again each time, ends exactly as one uninterrupted run: the same rows in
// every table (keyed digests equal to the clean run's and to the source's), and the last run's
// own checks pass. Small batches (3 rows) make each kill land between two batches or inside one
// (a batch's transaction then rolls back), inside a table and at table boundaries alike.
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MigrateReport } from '../../src/services/migrate/index.js';
import { openDatabase, type OpenedDatabase } from '../../src/store/database.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { phoneBody, seedTenant } from '../http/fixtures.js';
import { runCliWithEnv } from '../support/cli.js';
import { digestsOf, migrateChild, migrateInProcess } from './support.js';

const PHONES = 120;
/** Rows copied (all tables together) at which each run is killed. */
const KILL_AT = [40, 200, 420];

describe('telvault migrate killed and run again', () => {
  let s: TestServer;
  let env: Record<string, string>;
  let killed: TestDatabase;
  let clean: TestDatabase;
  let killedDb: OpenedDatabase;
  let during: TestDatabase;

  beforeAll(async () => {
    s = await startTestServer('sqlite', { logLevel: 'warn' });
    for (const name of ['alpha', 'bravo']) {
      const t = await seedTenant(s, name);
      for (let i = 0; i < PHONES / 2; i++) {
        const r = await s.request('POST', `/v1/tenants/${t.tenantId}/phones`, {
          token: s.rootToken,
          body: phoneBody(),
        });
        expect(r.status, r.text).toBe(201);
      }
    }
    await s.server.close();
    env = { TELVAULT_DATA_DIR: s.dataDir, TELVAULT_MASTER_KEY: s.masterKey.reveal() };
    [killed, clean] = [await createTestDatabase('mkill'), await createTestDatabase('mclean')];
    during = await createTestDatabase('mduring');
    killedDb = await openDatabase({ dataDir: '', databaseUrl: killed.url, migrate: false });
  }, 120_000);

  afterAll(async () => {
    await killedDb?.close();
    await new Promise((r) => setTimeout(r, 200));
    await killed?.drop();
    await clean?.drop();
    await during?.drop();
    await s?.close();
  });

  /** The target's progress rows: rows copied so far, and the tables begun but not done. */
  const progress = async () => {
    const r = await sql<{ table_name: string; copied: number; done: number }>`
      select table_name, copied, done from migrate_progress`.execute(killedDb.db);
    const copied = r.rows.reduce((n, p) => n + p.copied, 0);
    const partial = r.rows.filter((p) => p.done === 0 && p.copied > 0).map((p) => p.table_name);
    return { copied, partial };
  };

  it('converges to the clean run after kills inside and between tables', async () => {
    const args = ['--to', killed.url, '--batch-size', '3', '--json'];
    const partialAtKill: string[][] = [];
    for (const at of KILL_AT) {
      const run = await migrateChild(env, args, async () => (await progress()).copied >= at);
      expect(run.signal, `killed at ${at}: ${run.err}`).toBe('SIGKILL');
      partialAtKill.push((await progress()).partial);
    }
    // Some kill landed inside a table (begun, not done), the case a plain per-table flag misses.
    expect(partialAtKill.some((p) => p.length > 0)).toBe(true);

    const last = await migrateChild(env, args);
    expect(last.code, last.err).toBe(0);
    const report = JSON.parse(last.out) as MigrateReport;
    expect(report).toMatchObject({ ok: true, run: 'resumed', problems: [] });
    // It went on from the last kill's progress, not from the start.
    const { copied } = await progress();
    expect(report.copiedBefore).toBeGreaterThanOrEqual(KILL_AT[KILL_AT.length - 1] ?? 0);
    expect(report.copiedBefore + report.inserted).toBe(report.rows);
    expect(copied).toBe(report.rows);

    // The clean run in this process (cheaper than a child; the same command).
    const whole = await migrateInProcess(env, ['--to', clean.url, '--json']);
    expect(whole.code, whole.err).toBe(0);
    expect(JSON.parse(whole.out)).toMatchObject({ ok: true, run: 'fresh' });

    const key = randomBytes(32);
    const src = await openDatabase({ dataDir: s.dataDir, migrate: false });
    const other = await openDatabase({ dataDir: '', databaseUrl: clean.url, migrate: false });
    try {
      const want = await digestsOf(src.db, key);
      expect(want['phones']?.rows).toBe(PHONES + 2);
      expect(await digestsOf(killedDb.db, key)).toEqual(want);
      expect(await digestsOf(other.db, key)).toEqual(want);
    } finally {
      await src.close();
      await other.close();
    }
    // A run after the end copies nothing and checks again.
    const again = await migrateInProcess(env, args);
    expect(again.code, again.err).toBe(0);
    expect(JSON.parse(again.out)).toMatchObject({ ok: true, run: 'resumed', inserted: 0 });
  }, 120_000);
  // Last: it changes the source. A write to the source while the copy runs (a CLI command next to
  // it) is not in the copy, which still checks out against the snapshot it was read from; the
  // next run sees the source changed and refuses to resume.
  it('copies one snapshot of the source, whatever is written to it meanwhile', async () => {
    const target = await openDatabase({ dataDir: '', databaseUrl: during.url, migrate: false });
    let wrote = false;
    try {
      const run = await migrateChild(
        env,
        ['--to', during.url, '--batch-size', '2', '--json'],
        async () => {
          if (wrote) return false;
          const r = await sql<{ table_name: string; done: number }>`
          select table_name, done from migrate_progress`.execute(target.db);
          const done = (t: string) => r.rows.find((p) => p.table_name === t)?.done === 1;
          // The tenants are copied, the phones not yet: now a tenant is made in the source.
          if (!done('tenants') || done('phones')) return false;
          const made = await runCliWithEnv(['tenant', 'create', 'meanwhile'], env);
          expect(made.code, made.all).toBe(0);
          wrote = true;
          return false;
        },
      );
      expect(wrote).toBe(true);
      expect(run.code, run.err).toBe(0);
      const report = JSON.parse(run.out) as MigrateReport;
      expect(report).toMatchObject({ ok: true, problems: [] });
      const tenants = (t: MigrateReport) => t.tables.find((x) => x.table === 'tenants');
      expect(tenants(report)).toMatchObject({ sourceRows: 2, targetRows: 2, digestMatch: true });
      const again = await migrateInProcess(env, ['--to', during.url]);
      expect(again.code).toBe(1);
      expect(again.err).toContain('or from this one before it changed');
    } finally {
      await target.close();
    }
  }, 60_000);
});
