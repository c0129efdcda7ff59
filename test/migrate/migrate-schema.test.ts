// What `telvault migrate` relies on in the schema, checked against both dialects as the migrations
// make them: COPY_TABLES names every table (a new one cannot be forgotten), with its real primary
// key; every copied column has the same name and the same portable type on both sides (text ↔
// text, SQLite integer ↔ PostgreSQL int4, so a value needs no conversion and pg reads integers back
// as numbers); no column is fed by a sequence (serial or identity), so there is none to set after
// the copy. And the keyed digest notices a changed, missing or moved value, whatever the order.
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MasterKeyState } from '../../src/store/schema.js';
import { COPY_TABLES, NOT_COPIED } from '../../src/store/table-copy.js';
import { digestTable } from '../../src/store/table-digest.js';
import { listTables, type ColumnInfo } from '../../src/store/table-introspection.js';
import { openTestStore, type TestStore } from '../store/harness.js';

const PORTABLE: Record<string, string> = { text: 'text', integer: 'int4' };

describe('the schema telvault migrate copies', () => {
  let lite: TestStore;
  let pg: TestStore;
  let liteTables: Map<string, ColumnInfo[]>;
  let pgTables: Map<string, ColumnInfo[]>;

  beforeAll(async () => {
    [lite, pg] = [
      await openTestStore('sqlite', 'mschema'),
      await openTestStore('postgres', 'mschema'),
    ];
    [liteTables, pgTables] = [await listTables(lite.db), await listTables(pg.db)];
  });
  afterAll(async () => {
    await lite?.close();
    await pg?.close();
  });

  it('lists every table of both dialects, in an order that copies each table once', () => {
    const copied = COPY_TABLES.map((t) => t.table);
    expect(new Set(copied).size).toBe(copied.length);
    expect([...liteTables.keys()].sort()).toEqual([...copied, ...NOT_COPIED].sort());
    // PostgreSQL also has the rate limiter's UNLOGGED counts (migration 009): not telvault data,
    // lost on a crash by design, and a SQLite node keeps them in memory.
    expect([...pgTables.keys()].sort()).toEqual([...copied, ...NOT_COPIED, 'rate_limits'].sort());
  });

  it('gives each table its real primary key', async () => {
    const r = await sql<{ table: string; column: string }>`
      select c.relname as table, a.attname as column
      from pg_index i
      join pg_class c on c.oid = i.indrelid
      join pg_namespace n on n.oid = c.relnamespace and n.nspname = current_schema()
      join lateral unnest(i.indkey) with ordinality as k(attnum, ord) on true
      join pg_attribute a on a.attrelid = c.oid and a.attnum = k.attnum
      where i.indisprimary
      order by c.relname, k.ord`.execute(pg.db);
    const keys = new Map<string, string[]>();
    for (const row of r.rows) keys.set(row.table, [...(keys.get(row.table) ?? []), row.column]);
    for (const spec of COPY_TABLES) expect(keys.get(spec.table), spec.table).toEqual(spec.key);
  });

  it('has the same columns with the same portable types on both, and no sequence', () => {
    for (const { table } of COPY_TABLES) {
      const a = liteTables.get(table) ?? [];
      const b = pgTables.get(table) ?? [];
      const byName = (cs: ColumnInfo[]) => [...cs].sort((x, y) => x.name.localeCompare(y.name));
      expect(
        byName(b).map((c) => [c.name, c.type]),
        table,
      ).toEqual(byName(a).map((c) => [c.name, PORTABLE[c.type] ?? `unportable ${c.type}`]));
      for (const c of [...a, ...b]) expect(c.sequence, `${table}.${c.name}`).toBe(false);
    }
  });

  it('digests rows whatever their order, and notices a changed, missing or swapped value', async () => {
    const spec = COPY_TABLES.find((t) => t.table === 'master_keys');
    if (spec === undefined) throw new Error('master_keys is copied');
    const key = randomBytes(32);
    const put = async (rows: [string, MasterKeyState][]) => {
      await lite.db.deleteFrom('master_keys').execute();
      for (const [id, state] of rows)
        await lite.db
          .insertInto('master_keys')
          .values({ id, state, created_at: 'a', updated_at: 'b' })
          .execute();
      return (await digestTable(lite.db, spec, key, { batchSize: 1 })).digest;
    };
    const rows: [string, MasterKeyState][] = [
      ['mk_1', 'current'],
      ['mk_2', 'retired'],
    ];
    const base = await put(rows);
    expect(
      await put([
        ['mk_2', 'retired'],
        ['mk_1', 'current'],
      ]),
    ).toBe(base);
    expect(await put([['mk_1', 'current']])).not.toBe(base);
    expect(
      await put([
        ['mk_1', 'current'],
        ['mk_2', 'previous'],
      ]),
    ).not.toBe(base);
    expect(
      await put([
        ['mk_1', 'retired'],
        ['mk_2', 'current'],
      ]),
    ).not.toBe(base);
    // The same rows under another key: another digest (no reusable fingerprint).
    expect(await put(rows)).toBe(base);
    const other = (await digestTable(lite.db, spec, randomBytes(32))).digest;
    expect(other).not.toBe(base);
  });
});
