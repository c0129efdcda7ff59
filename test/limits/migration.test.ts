// Migration 009: on PostgreSQL the limiter table exists UNLOGGED in the shape RateLimiterPostgres
// uses, also when a logged one made by the library at run time was there before (its rows kept),
// and the failed-authentication limit keeps counting in it; on SQLite there is no such table. Both
// get the tenant settings' limits column.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { RateLimiterPostgres } from 'rate-limiter-flexible';
import { afterAll, describe, expect, it } from 'vitest';
import { createRateLimitKeyer } from '../../src/crypto/index.js';
import { createLogger } from '../../src/services/common/index.js';
import {
  createAuthFailureLimiter,
  createLimiterFactory,
  RATE_LIMIT_TABLE,
} from '../../src/services/limits/index.js';
import { openDatabase, type OpenedDatabase } from '../../src/store/database.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';

const logger = createLogger({ level: 'silent' });
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function freshPostgres(): Promise<TestDatabase> {
  const d = await createTestDatabase('limits_mig');
  cleanups.push(() => d.drop());
  return d;
}

async function open(url: string | undefined): Promise<OpenedDatabase> {
  const dataDir = mkdtempSync(join(tmpdir(), 'telvault-limits-mig-'));
  const db = await openDatabase({ databaseUrl: url, dataDir });
  cleanups.push(async () => {
    await db.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  return db;
}

async function persistence(pool: pg.Pool): Promise<string | undefined> {
  const r = await pool.query<{ relpersistence: string }>(
    `select relpersistence from pg_class where oid = to_regclass($1)`,
    [RATE_LIMIT_TABLE],
  );
  return r.rows[0]?.relpersistence;
}

async function columns(pool: pg.Pool): Promise<string[]> {
  const r = await pool.query<{ column_name: string; data_type: string; len: number | null }>(
    `select column_name, data_type, character_maximum_length as len
       from information_schema.columns where table_name = $1 order by ordinal_position`,
    [RATE_LIMIT_TABLE],
  );
  return r.rows.map((c) => `${c.column_name} ${c.data_type}${c.len === null ? '' : `(${c.len})`}`);
}

/** Counts failures for 198.51.100.1 through the factory on `pool`; resolves to the row's points. */
async function authFailuresCounted(pool: pg.Pool): Promise<number | undefined> {
  const keyer = createRateLimitKeyer(randomBytes(32));
  const keys = { rateLimitKey: (v: string) => Promise.resolve(keyer.key(v)) };
  const limiters = createLimiterFactory({ postgresPool: pool, logger });
  const limiter = await createAuthFailureLimiter({
    limiters,
    keys,
    limit: 5,
    windowSeconds: 60,
    logger,
  });
  for (let i = 0; i < 3; i++) expect(await limiter.recordFailure('198.51.100.1')).toBeUndefined();
  const key = `telvault:auth-failures:${await keys.rateLimitKey('client:198.51.100.1')}`;
  const r = await pool.query<{ points: number }>(
    `select points from ${RATE_LIMIT_TABLE} where key = $1`,
    [key],
  );
  return r.rows[0]?.points;
}

describe('migration 009 on PostgreSQL', () => {
  it('creates the limiter table UNLOGGED, in the library shape', async () => {
    const d = await freshPostgres();
    const db = await open(d.url);
    expect(await persistence(db.pool!)).toBe('u');
    expect(await columns(db.pool!)).toEqual([
      'key character varying(255)',
      'points integer',
      'expire bigint',
    ]);
    expect(await authFailuresCounted(db.pool!)).toBe(3);
  });

  it('makes a logged table the library created before UNLOGGED, keeping its rows', async () => {
    const d = await freshPostgres();
    const pool = new pg.Pool({ connectionString: d.url, max: 2 });
    try {
      // What a deployment before 009 had: the table the library made at run time (logged).
      await new Promise<void>((resolve, reject) => {
        new RateLimiterPostgres(
          {
            storeClient: pool,
            storeType: 'pool',
            tableName: RATE_LIMIT_TABLE,
            points: 1,
            duration: 60,
          },
          (err?: Error) => (err === undefined ? resolve() : reject(err)),
        );
      });
      await pool.query(`insert into ${RATE_LIMIT_TABLE} values ('telvault:old:k', 2, $1)`, [
        Date.now() + 60_000,
      ]);
      expect(await persistence(pool)).toBe('p');
    } finally {
      await pool.end();
    }
    const db = await open(d.url);
    expect(await persistence(db.pool!)).toBe('u');
    const kept = await db.pool!.query(`select points from ${RATE_LIMIT_TABLE} where key = $1`, [
      'telvault:old:k',
    ]);
    expect(kept.rows).toEqual([{ points: 2 }]);
    expect(await authFailuresCounted(db.pool!)).toBe(3);
  });
});

describe('migration 009 on SQLite', () => {
  it('adds the limits column and no limiter table', async () => {
    const db = await open(undefined);
    const tables = await sql<{ name: string }>`
      select name from sqlite_master where type = 'table'`.execute(db.db);
    expect(tables.rows.map((r) => r.name)).not.toContain(RATE_LIMIT_TABLE);
    const cols = await sql<{ name: string }>`pragma table_info(tenant_settings)`.execute(db.db);
    expect(cols.rows.map((r) => r.name)).toContain('limits_json');
  });
});
