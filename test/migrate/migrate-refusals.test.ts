// What `telvault migrate` refuses, each time with a message naming the flag, variable or table
// and the rule, and with nothing written to the target: a target holding telvault rows (another
// deployment's, or another source's copy), a target schema at another version, a source that is
// not SQLite or not there, a source a node is serving, master keys that cannot open the source's
// keys, an unusable --to or --batch-size. The target URL carries a canary password (trust
// authentication ignores it): it appears in no output, refused or not.
import { mkdtempSync, existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MigrateReport } from '../../src/services/migrate/index.js';
import { openDatabase } from '../../src/store/database.js';
import { listTables } from '../../src/store/table-introspection.js';
import { runCliWithEnv } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { startTestServer } from '../support/server.js';
import { digestsOf, migrateInProcess } from './support.js';

const CANARY = 'CanaryPw-5531x';
const withCanary = (url: string): string => {
  const u = new URL(url);
  u.password = CANARY;
  return u.toString();
};

/** A SQLite deployment with two tenants (made by the CLI), and its environment. */
async function sqliteDeployment(): Promise<Record<string, string>> {
  const env = {
    TELVAULT_DATA_DIR: mkdtempSync(join(tmpdir(), 'tv-migrate-src-')),
    TELVAULT_MASTER_KEY: randomBytes(32).toString('base64'),
  };
  for (const name of ['acme', 'globex']) {
    const r = await runCliWithEnv(['tenant', 'create', name], env);
    expect(r.code, r.all).toBe(0);
  }
  return env;
}

/** Everything a target holds: its tables and each copied table's keyed digest. */
async function stateOf(url: string): Promise<unknown> {
  const o = await openDatabase({ dataDir: '', databaseUrl: url, migrate: false });
  try {
    const tables = [...(await listTables(o.db)).keys()].sort();
    const key = Buffer.alloc(32, 7);
    const digests = tables.includes('tenants') ? await digestsOf(o.db, key) : null;
    const versions = tables.includes('schema_migrations')
      ? (await sql`select version from schema_migrations order by version`.execute(o.db)).rows
      : null;
    return { tables, digests, versions };
  } finally {
    await o.close();
  }
}

describe('telvault migrate refuses, and changes nothing', () => {
  let env: Record<string, string>;
  const dbs: TestDatabase[] = [];
  const newTarget = async () => {
    const d = await createTestDatabase('mref');
    dbs.push(d);
    return d;
  };

  beforeAll(async () => {
    env = await sqliteDeployment();
  });
  afterAll(async () => {
    for (const d of dbs) await d.drop();
  });

  /** A refused run: exit 1, the message holds every `expected` text, no canary, nothing written. */
  async function refused(
    runEnv: Record<string, string>,
    to: string,
    expected: readonly string[],
    watch?: string,
  ): Promise<string> {
    const before = watch === undefined ? undefined : await stateOf(watch);
    const r = await migrateInProcess(runEnv, ['--to', to]);
    expect(r.code, r.all).toBe(1);
    for (const e of expected) expect(r.err).toContain(e);
    expect(r.all).not.toContain(CANARY);
    if (watch !== undefined) expect(await stateOf(watch)).toEqual(before);
    return r.err;
  }

  it('copies with a password in the URL and prints it nowhere, as text or JSON', async () => {
    const t = await newTarget();
    const text = await migrateInProcess(env, ['--to', withCanary(t.url)]);
    expect(text.code, text.all).toBe(0);
    expect(text.out).toContain('every table and audit chain matches');
    expect(text.out).toMatch(/tenants +2 +2 +2 {2}match/);
    const json = await migrateInProcess(env, ['--to', withCanary(t.url), '--json']);
    expect(json.code, json.all).toBe(0);
    const report = JSON.parse(json.out) as MigrateReport;
    const shown = new URL(t.url);
    shown.password = '';
    expect(report.target).toBe(shown.toString());
    for (const out of [text.all, json.all]) expect(out).not.toContain(CANARY);
  });

  it('refuses a target where a deployment already wrote, naming the tables', async () => {
    const t = await newTarget();
    const made = await runCliWithEnv(['tenant', 'create', 'other'], {
      ...env,
      TELVAULT_DATABASE_URL: t.url,
    });
    expect(made.code, made.all).toBe(0);
    const err = await refused(
      env,
      withCanary(t.url),
      ['--to:', 'holds telvault rows', 'tenants'],
      t.url,
    );
    expect(err).toContain('nothing was written');
  });

  it("refuses a target holding another source's copy, or this source's before it changed", async () => {
    const t = await newTarget();
    const other = await sqliteDeployment();
    expect((await migrateInProcess(other, ['--to', t.url])).code).toBe(0);
    await refused(env, withCanary(t.url), ['--to:', 'a migration from another source'], t.url);
    // The copy's own source, changed since, is refused too: a re-run would resume a stale copy.
    const more = await runCliWithEnv(['tenant', 'create', 'later'], other);
    expect(more.code).toBe(0);
    await refused(other, withCanary(t.url), ['or from this one before it changed'], t.url);
  });

  it('refuses a target whose schema is at another version', async () => {
    const t = await newTarget();
    const o = await openDatabase({ dataDir: '', databaseUrl: t.url });
    await sql`delete from schema_migrations where version = (select max(version) from schema_migrations)`.execute(
      o.db,
    );
    await o.close();
    await refused(env, withCanary(t.url), ['--to:', 'schema is at another version'], t.url);
  });

  it('refuses a source that is PostgreSQL, or a data directory without a database (making none)', async () => {
    const t = await newTarget();
    await refused(
      { ...env, TELVAULT_DATABASE_URL: t.url },
      t.url,
      ['TELVAULT_DATABASE_URL'],
      t.url,
    );
    const empty = mkdtempSync(join(tmpdir(), 'tv-migrate-none-'));
    await refused(
      { ...env, TELVAULT_DATA_DIR: empty },
      t.url,
      ['no SQLite database at', 'TELVAULT_DATA_DIR'],
      t.url,
    );
    expect(existsSync(join(empty, 'telvault.db'))).toBe(false);
  });

  it('refuses master keys that cannot open the source keys, before touching the target', async () => {
    const t = await newTarget();
    const err = await refused(
      { ...env, TELVAULT_MASTER_KEY: randomBytes(32).toString('base64') },
      withCanary(t.url),
      ['cannot open', 'nothing was copied'],
      t.url,
    );
    expect(err).not.toContain(env['TELVAULT_MASTER_KEY']);
    expect(await stateOf(t.url)).toMatchObject({ tables: [] });
  });

  it('refuses a source a node is serving', async () => {
    const t = await newTarget();
    const s = await startTestServer('sqlite', { logLevel: 'warn' });
    try {
      await refused(
        { TELVAULT_DATA_DIR: s.dataDir, TELVAULT_MASTER_KEY: s.masterKey.reveal() },
        withCanary(t.url),
        ['node(s) serve this SQLite database', 'stop them first'],
        t.url,
      );
    } finally {
      await s.close();
    }
  });

  it('refuses an unusable --to or --batch-size, naming the flag and never the password', async () => {
    const t = await newTarget();
    const missing = `tv_missing_${randomBytes(4).toString('hex')}`;
    for (const to of [
      `mysql://u:${CANARY}@127.0.0.1/db`,
      `not a url ${CANARY}`,
      `postgres://u:${CANARY}@127.0.0.1/`,
      `postgres://postgres:${CANARY}@127.0.0.1:1/x`,
      withCanary(t.url).replace(/\/[^/]+$/, `/${missing}`),
    ]) {
      await refused(env, to, ['--to:'], t.url);
    }
    const r = await migrateInProcess(env, ['--to', t.url, '--batch-size', '0']);
    expect(r.code).toBe(1);
    expect(r.err).toContain('--batch-size: must be an integer from 1 to 1000');
    const none = await migrateInProcess(env, []);
    expect(none.code).toBe(2);
    expect(none.err).toContain('--to');
    expect(await stateOf(t.url)).toMatchObject({ tables: [] });
  });
});
