// Idempotency entries at rest: neither the raw key nor the request or response bodies nor a sealed
// intent state is anywhere in the database (the SQLite file and WAL as bytes, a pg_dump); a tenant
// data-key rotation re-encrypts the payloads (and the old key retires); deleting a tenant removes its
// entries and payloads and leaves a neighbour's.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envelopeKeyId, type TenantId } from '../../src/crypto/index.js';
import {
  runIdempotent,
  type BeginResult,
  type IdempotencyEntry,
} from '../../src/services/idempotency/index.js';
import { rotateTenantKey } from '../../src/services/keys/rotation/tenant-key-rotation.js';
import { createTenantService } from '../../src/services/tenants/tenant-service.js';
import { listKeyUsage } from '../../src/store/key-usage-repo.js';
import { sqliteFilePath } from '../../src/store/sqlite-dialect.js';
import { POSTGRES_ADMIN_URL } from '../support/postgres.js';
import { DIALECTS, openTestStore, randomMasterKey, type TestStore } from '../store/harness.js';
import { createTenant, openIdemNode, request, type IdemNode } from './idempotency-support.js';

const CANARY = 'CANARY-9d41e7';
const OWNER = 'plain-owner-label-5c2a';

function held(r: BeginResult): IdempotencyEntry {
  if (r.kind !== 'run') throw new Error(`expected to hold the entry, got ${r.kind}`);
  return r.entry;
}

describe.each(DIALECTS)('idempotency entries at rest on %s', (dialect) => {
  let store: TestStore;
  let node: IdemNode;
  const master = randomMasterKey();

  beforeAll(async () => {
    store = await openTestStore(dialect, 'idemrest');
    node = await openIdemNode(store.db, master, { leaseMs: 60_000, owner: OWNER });
  });
  afterAll(async () => {
    await store.close();
  });

  it('stores no key, body or sealed state in the clear', async () => {
    const t = await createTenant(node, 'canary');
    const done = request(t, {
      key: `${CANARY}-key-0001`,
      body: { to: `${CANARY}-request-to`, text: `${CANARY}-request-text` },
    });
    await runIdempotent(node.idem, done, () =>
      Promise.resolve({ status: 201, body: { to: `${CANARY}-response-to` } }),
    );
    const running = request(t, { key: `${CANARY}-key-0002`, mode: 'resumable' });
    const entry = held(await node.idem.begin(running));
    await node.idem.saveState(entry, { number: `${CANARY}-state-number` }, { sealed: true });

    let haystack: Buffer;
    if (dialect === 'sqlite') {
      await sql`pragma wal_checkpoint(FULL)`.execute(store.db);
      const file = sqliteFilePath(store.dataDir);
      const parts = [file, `${file}-wal`, `${file}-shm`].filter((p) => existsSync(p));
      haystack = Buffer.concat(parts.map((p) => readFileSync(p)));
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
    }
    expect(haystack.includes(CANARY)).toBe(false);
    // The same search finds what is stored in the clear (the search works).
    expect(haystack.includes(OWNER)).toBe(true);
    // And the service still answers with them.
    expect(await node.idem.begin(done)).toMatchObject({
      kind: 'replay',
      body: { to: `${CANARY}-response-to` },
    });
  });

  it('a data-key rotation re-encrypts the payloads; replay and resume still open them', async () => {
    const t = await createTenant(node, 'rotate');
    const done = request(t);
    await runIdempotent(node.idem, done, () =>
      Promise.resolve({ status: 201, body: { id: 'call-9' } }),
    );
    const running = request(t, { mode: 'resumable' });
    const entry = held(await node.idem.begin(running));
    await node.idem.saveState(entry, { number: '+14155550100' }, { sealed: true });

    const rotated = await rotateTenantKey({ db: store.db, keys: node.keys }, t);
    expect(rotated).toMatchObject({ toVersion: 2, outcome: 'done' });
    const rows = await store.db
      .selectFrom('idempotency_payloads')
      .selectAll()
      .where('tenant_id', '=', t)
      .execute();
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      expect(Number(row.key_version)).toBe(2);
      for (const env of [row.intent_env, row.response_env]) {
        if (env !== null) expect(envelopeKeyId(env)).toBe(`${t}.d2`);
      }
    }
    // The old key is retired: no row of any registered table uses it.
    const v1 = await store.db
      .selectFrom('tenant_keys')
      .select('state')
      .where('tenant_id', '=', t)
      .where('kind', '=', 'data')
      .where('version', '=', 1)
      .executeTakeFirstOrThrow();
    expect(v1.state).toBe('retired');
    const usage = (await listKeyUsage(store.db, t)).filter((u) => u.kind === 'data' && u.rows > 0);
    expect(usage).toEqual([expect.objectContaining({ version: 2, rows: 2 })]);

    expect(await node.idem.begin(done)).toMatchObject({ kind: 'replay', body: { id: 'call-9' } });
    await node.idem.release(entry);
    expect(await node.idem.begin(running)).toMatchObject({
      kind: 'run',
      resumedState: { number: '+14155550100' },
    });
  });

  it("deleting a tenant removes its entries and payloads, not a neighbour's", async () => {
    const doomed = await createTenant(node, 'doomed');
    const neighbour: TenantId = await createTenant(node, 'neighbour');
    const mine = request(doomed);
    const theirs = request(neighbour);
    for (const input of [mine, theirs]) {
      await runIdempotent(node.idem, input, () => Promise.resolve({ status: 200, body: 'ok' }));
    }
    const sealed = request(doomed, { mode: 'resumable' });
    await node.idem.saveState(held(await node.idem.begin(sealed)), { a: 1 }, { sealed: true });

    await createTenantService({ db: store.db, keys: node.keys }).deleteTenant(doomed);
    for (const table of ['idempotency_keys', 'idempotency_payloads'] as const) {
      const left = await store.db
        .selectFrom(table)
        .select('tenant_id')
        .where('tenant_id', 'in', [doomed, neighbour])
        .execute();
      expect(left.map((r) => r.tenant_id)).toEqual([neighbour]);
    }
    expect(await node.idem.begin(theirs)).toMatchObject({ kind: 'replay', body: 'ok' });
  });
});
