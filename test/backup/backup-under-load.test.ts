// `telvault backup` next to a `telvault serve` in its own process that keeps taking writes through
// the API: every write acknowledged before the backup began is in the restore, the restored audit
// streams verify against the manifest's head line and end exactly at it, and a server over the
// restored database reads every one of those writes back. The second case holds the backup half
// way (its read transaction open) until the server has acknowledged writes sent after the
// snapshot: none of them is in the backup, so the backup and its head are one snapshot.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMasterKey } from '../../src/crypto/index.js';
import { createBackup } from '../../src/services/backup/index.js';
import { call, spawnServer, tenantWithToken, type ChildServer } from '../support/child-server.js';
import { runCliWithEnv } from '../support/cli.js';
import {
  CANARY,
  headsOf,
  newDeployment,
  runCliChild,
  startWriteLoad,
  until,
  type Deployment,
  type Write,
} from './support.js';

const SCOPES = ['secrets:read', 'secrets:write', 'secrets:reveal'];

describe('telvault backup next to a serving process under a write load (SQLite)', () => {
  let src: Deployment;
  let server: ChildServer;
  let tenantId = '';
  let token = '';

  beforeAll(async () => {
    src = newDeployment('backup-load');
    server = await spawnServer(src.env);
    ({ tenantId, token } = await tenantWithToken(server.url, src.rootToken, SCOPES));
  });

  afterAll(async () => {
    await server?.stop();
    rmSync(src.dir, { recursive: true, force: true });
  });

  /** Restores `file` into a new data directory with the CLI; its output and environment. */
  async function restore(file: string, name: string) {
    const env = { ...src.env, TELVAULT_DATA_DIR: join(src.dir, name) };
    const r = await runCliWithEnv(['restore', file], env);
    expect(r.code, r.all).toBe(0);
    expect(r.out).toContain('chain intact');
    expect(r.out).toContain("no stream is behind the backup's head line");
    return { env, out: r.all };
  }

  /** A server over the restored database: each write in `present` reads back, none in `absent`. */
  async function expectServed(env: Record<string, string>, present: Write[], absent: Write[]) {
    const restored = await spawnServer(env);
    try {
      const base = `/v1/tenants/${tenantId}/secrets`;
      for (const w of present) {
        const r = await call(restored.url, 'POST', `${base}/${w.name}/reveal`, token);
        expect(r.status, `${w.name}: ${r.text}`).toBe(200);
        expect((r.json as { value: string }).value).toBe(w.value);
      }
      for (const w of absent) {
        const r = await call(restored.url, 'GET', `${base}/${w.name}`, token);
        expect(r.status, `${w.name} was sent after the snapshot`).toBe(404);
      }
      const verify = await call(
        restored.url,
        'POST',
        `/v1/tenants/${tenantId}/audit/verify`,
        src.rootToken,
      );
      expect(verify.status, verify.text).toBe(200);
      expect((verify.json as { ok: boolean }).ok).toBe(true);
    } finally {
      await restored.stop();
    }
  }

  function expectNoSecretIn(text: string): void {
    expect(text).not.toContain(CANARY);
    expect(text).not.toContain(src.masterKey);
    expect(text).not.toContain(src.rootToken);
    expect(text).not.toContain(token);
  }

  it('the CLI, in its own process, backs up every write acknowledged before it began', async () => {
    // Everything so far is checkpointed into the database file; then a reader on that snapshot (as
    // a long `audit verify` would be) keeps every write since in the WAL only: a copy of the
    // database file would hold the tenant and none of the writes.
    const reader = new SqliteDatabase(join(src.env.TELVAULT_DATA_DIR ?? '', 'telvault.db'));
    reader.pragma('busy_timeout = 15000');
    reader.pragma('wal_checkpoint(TRUNCATE)');
    reader.exec('begin');
    reader.prepare('select count(*) from secrets').get();
    const load = startWriteLoad(server.url, token, tenantId, {
      max: 400,
      parallel: 4,
      prefix: 'cli',
    });
    await until(load, () => load.acked.length >= 60);
    const file = join(src.dir, 'cli.db');
    load.phase = 'during';
    const b = await runCliChild(['backup', file, '--json'], src.env);
    load.phase = 'after';
    await load.stop();
    reader.exec('commit');
    reader.close();
    expect(b.code, b.err).toBe(0);
    const manifestText = readFileSync(`${file}.json`, 'utf8');
    const manifest = JSON.parse(manifestText) as { auditHead: string; masterKeyIds: string[] };
    expect(manifest.masterKeyIds).toEqual([parseMasterKey(src.masterKey).id]);

    const before = load.acked.filter((w) => w.ackedIn === 'before');
    expect(before.length).toBeGreaterThanOrEqual(60);
    const r = await restore(file, 'restored-cli');
    // The head line describes exactly the backup: the restored streams end where it says.
    const head = await runCliWithEnv(['audit', 'head'], r.env);
    expect(headsOf(head.out)).toEqual(headsOf(manifest.auditHead));
    await expectServed(r.env, before, []);
    expectNoSecretIn(b.out + b.err + manifestText + r.out);
  });

  it('is one snapshot: the server keeps acknowledging writes while it copies, none of them in it', async () => {
    const load = startWriteLoad(server.url, token, tenantId, {
      max: 400,
      parallel: 4,
      prefix: 'snap',
    });
    await until(load, () => load.acked.length >= 40);
    load.phase = 'during';
    const file = join(src.dir, 'snapshot.db');
    const view = await createBackup({
      dataDir: src.env.TELVAULT_DATA_DIR ?? '',
      file,
      masterKeys: { current: parseMasterKey(src.masterKey) },
      // Called after the first step, with the snapshot taken: no page is copied (the read
      // transaction stays open) until the server has acknowledged 30 writes sent since.
      pagesPerStep: () => {
        if (load.phase === 'during') load.phase = 'snapshot-taken';
        return load.sentIn('snapshot-taken') >= 30 || load.failed() ? 64 : 0;
      },
    });
    load.phase = 'after';
    await load.stop();
    const afterSnapshot = load.acked.filter((w) => w.sentIn === 'snapshot-taken');
    expect(afterSnapshot.length).toBeGreaterThanOrEqual(30);

    const r = await restore(file, 'restored-snapshot');
    const head = await runCliWithEnv(['audit', 'head'], r.env);
    expect(headsOf(head.out)).toEqual(headsOf(view.manifest.auditHead));
    const before = load.acked.filter((w) => w.ackedIn === 'before');
    await expectServed(r.env, before, afterSnapshot);
  });
});
