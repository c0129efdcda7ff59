// `telvault backup` and `telvault restore` through the CLI on real SQLite files: what they refuse
// (each refusal names the flag, file or key at fault and changes nothing), a backup killed half
// way (SIGKILL) that leaves nothing at the backup's name, a restore that replaces a database and
// its stale side files, a tampered backup whose audit check fails the restore, and no secret in
// any output or manifest.
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import SqliteDatabase from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMasterKey } from '../../src/crypto/index.js';
import { createBackup } from '../../src/services/backup/index.js';
import { runCliWithEnv } from '../support/cli.js';
import { startTestServer, type TestServer } from '../support/server.js';

const CHILD = fileURLToPath(new URL('./backup-child.ts', import.meta.url));
const CANARY = `CANARY-restore-${randomBytes(6).toString('hex')}`;
const key32 = () => randomBytes(32).toString('base64');

/**
 * A valid WAL of another database (frames SQLite would replay into whatever file it sits beside):
 * what a database's -wal holds after a crash.
 */
function foreignWal(dir: string): Buffer {
  const path = join(dir, `foreign-${randomBytes(4).toString('hex')}.db`);
  const db = new SqliteDatabase(path);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('wal_autocheckpoint = 0');
    db.exec('create table junk (v blob)');
    const insert = db.prepare('insert into junk (v) values (?)');
    for (let i = 0; i < 200; i++) insert.run(randomBytes(1000));
    return readFileSync(`${path}-wal`);
  } finally {
    db.close();
  }
}

describe('telvault backup and restore: refusals, kills and replacements (SQLite)', () => {
  let src: TestServer;
  let dir = '';
  let env: Record<string, string> = {};
  let good = '';
  let sourceKeyId = '';
  const outputs: string[] = [];

  async function cli(args: string[], vars: Record<string, string | undefined> = env) {
    const r = await runCliWithEnv(args, vars);
    outputs.push(r.all);
    return r;
  }

  const targetEnv = (name: string, extra: Record<string, string> = {}) => ({
    ...env,
    TELVAULT_DATA_DIR: join(dir, name),
    ...extra,
  });

  beforeAll(async () => {
    src = await startTestServer('sqlite');
    const t = await src.createTenant('acme');
    for (let i = 0; i < 20; i++) {
      const r = await src.request('PUT', `/v1/tenants/${t}/secrets/s${i}`, {
        token: src.rootToken,
        body: { value: `${CANARY}-${i}` },
      });
      expect(r.status, r.text).toBe(200);
    }
    dir = mkdtempSync(join(tmpdir(), 'tv-backup-cli-'));
    env = { TELVAULT_DATA_DIR: src.dataDir, TELVAULT_MASTER_KEY: src.masterKey.reveal() };
    sourceKeyId = parseMasterKey(src.masterKey.reveal()).id;
    good = join(dir, 'good.db');
    const b = await cli(['backup', good]);
    expect(b.code, b.all).toBe(0);
    // Readable by its owner only, like the manifest.
    expect(statSync(good).mode & 0o077).toBe(0);
    expect(statSync(`${good}.json`).mode & 0o077).toBe(0);
  });

  afterAll(async () => {
    await src?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses to overwrite a backup without --force, and replaces it with --force', async () => {
    const before = readFileSync(good);
    const r = await cli(['backup', good]);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`${good} exists: refusing to overwrite it (--force replaces it)`);
    expect(readFileSync(good).equals(before)).toBe(true);

    const again = join(dir, 'again.db');
    expect((await cli(['backup', again])).code).toBe(0);
    const manifest = readFileSync(`${again}.json`, 'utf8');
    const forced = await cli(['backup', again, '--force', '--json']);
    expect(forced.code, forced.all).toBe(0);
    const view = JSON.parse(forced.out) as { manifest: { sha256: string } };
    expect(readFileSync(`${again}.json`, 'utf8')).not.toBe(manifest);
    expect(JSON.parse(readFileSync(`${again}.json`, 'utf8'))).toMatchObject({
      sha256: view.manifest.sha256,
    });
    expect((await cli(['restore', again], targetEnv('from-forced'))).code).toBe(0);
  });

  it('refuses bad flags, a missing database and PostgreSQL, writing nothing', async () => {
    const file = join(dir, 'never.db');
    const head = await cli(['backup', file, '--head', good]);
    expect(head.code).toBe(1);
    expect(head.err).toContain('--head: only with --verify');
    const verify = await cli(['backup', file, '--verify']);
    expect(verify.code).toBe(1);
    expect(verify.err).toContain('--verify: checks the configured database and takes no <file>');
    const none = await cli(['backup', file], targetEnv('empty'));
    expect(none.code).toBe(1);
    expect(none.err).toContain('no telvault database at');
    const pg = { ...env, TELVAULT_DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/none' };
    const onPg = await cli(['backup', file], pg);
    expect(onPg.code).toBe(1);
    expect(onPg.err).toContain('pg_dump -Fc');
    const restorePg = await cli(['restore', good], pg);
    expect(restorePg.code).toBe(1);
    expect(restorePg.err).toContain('pg_restore');
    expect(readdirSync(dir).filter((f) => f.startsWith('never'))).toEqual([]);
    expect(existsSync(join(dir, 'empty'))).toBe(false);
  });

  it('refuses a backup whose master key the configuration does not hold, naming it', async () => {
    const r = await cli(
      ['restore', good],
      targetEnv('wrong-key', { TELVAULT_MASTER_KEY: key32() }),
    );
    expect(r.code).toBe(1);
    expect(r.err).toContain(`master key(s) ${sourceKeyId}, which this configuration does not hold`);
    expect(existsSync(join(dir, 'wrong-key'))).toBe(false);

    // The key held as the previous one (mid-rotation) opens it.
    const rotated = targetEnv('previous-key', {
      TELVAULT_MASTER_KEY: key32(),
      TELVAULT_MASTER_KEY_PREVIOUS: src.masterKey.reveal(),
    });
    const ok = await cli(['restore', good], rotated);
    expect(ok.code, ok.all).toBe(0);
    expect(ok.out).toContain('chain intact');
  });

  it('refuses a damaged backup, a missing manifest and a manifest of other keys', async () => {
    const damaged = join(dir, 'damaged.db');
    const bytes = readFileSync(good);
    const at = Math.floor(bytes.length / 2);
    bytes[at] = (bytes[at] ?? 0) ^ 0x01;
    writeFileSync(damaged, bytes);
    writeFileSync(`${damaged}.json`, readFileSync(`${good}.json`));
    const r = await cli(['restore', damaged], targetEnv('damaged'));
    expect(r.code).toBe(1);
    expect(r.err).toContain(`${damaged} does not match its manifest`);
    expect(r.err).toContain('SHA-256 differs');
    expect(existsSync(join(dir, 'damaged'))).toBe(false);

    const bare = join(dir, 'bare.db');
    writeFileSync(bare, readFileSync(good));
    const noManifest = await cli(['restore', bare], targetEnv('bare'));
    expect(noManifest.code).toBe(1);
    expect(noManifest.err).toContain(`manifest ${bare}.json: cannot read it (ENOENT)`);

    const other = join(dir, 'other.db');
    writeFileSync(other, readFileSync(good));
    const m = JSON.parse(readFileSync(`${good}.json`, 'utf8')) as { masterKeyIds: string[] };
    writeFileSync(`${other}.json`, JSON.stringify({ ...m, masterKeyIds: ['mk_0000000000000000'] }));
    const otherKeys = await cli(['restore', other], targetEnv('other'));
    expect(otherKeys.code).toBe(1);
    expect(otherKeys.err).toContain('manifest: masterKeyIds: differs from the master keys');
    expect(existsSync(join(dir, 'other'))).toBe(false);
  });

  it('replaces a database only with --force, never one a server serves, and drops its side files', async () => {
    const target = await startTestServer('sqlite');
    try {
      await target.createTenant('other deployment');
      const vars = { ...env, TELVAULT_DATA_DIR: target.dataDir };
      const db = join(target.dataDir, 'telvault.db');
      const plain = await cli(['restore', good], vars);
      expect(plain.code).toBe(1);
      expect(plain.err).toContain(`${db} exists: refusing to replace it`);
      const served = await cli(['restore', good, '--force'], vars);
      expect(served.code).toBe(1);
      expect(served.err).toContain(`${db} is being served (node `);
      await target.server.close();
      // A stale WAL beside the database would be replayed into the restored one.
      writeFileSync(`${db}-wal`, foreignWal(dir));
      writeFileSync(`${db}-journal`, randomBytes(512));
      const forced = await cli(['restore', good, '--force'], vars);
      expect(forced.code, forced.all).toBe(0);
      expect(forced.out).toContain('(the database there was replaced)');
      expect(existsSync(`${db}-journal`)).toBe(false);
      const verify = await cli(['backup', '--verify', '--head', `${good}.json`], vars);
      // The manifest is not a head line: --head takes what `audit head` printed.
      expect(verify.code).toBe(1);
      const head = join(dir, 'head.txt');
      writeFileSync(
        head,
        (JSON.parse(readFileSync(`${good}.json`, 'utf8')) as { auditHead: string }).auditHead,
      );
      const anchored = await cli(['backup', '--verify', '--head', head], vars);
      expect(anchored.code, anchored.all).toBe(0);
      expect(anchored.out).toMatch(/rows: tenants 1, .*secrets 20/);
    } finally {
      await target.close();
    }
  });

  it('fails a restore whose audit log was edited in the backup, even with a matching manifest', async () => {
    const edited = join(dir, 'edited.db');
    writeFileSync(edited, readFileSync(good));
    const raw = new SqliteDatabase(edited);
    raw.prepare("update audit_events set action = 'secret.nothing' where seq = 2").run();
    raw.close();
    const m = JSON.parse(readFileSync(`${good}.json`, 'utf8')) as Record<string, unknown>;
    const data = readFileSync(edited);
    const sha256 = createHash('sha256').update(data).digest('hex');
    writeFileSync(`${edited}.json`, JSON.stringify({ ...m, bytes: data.length, sha256 }));
    const r = await cli(['restore', edited], targetEnv('edited'));
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/BROKEN stream \S+ at seq 2 \(event \S+\): hash does not match/);
    expect(r.err).toContain('restore done, but the restored database: 1 problem(s) found');
  });

  it('a backup killed half way leaves nothing at its name, and the next one completes', async () => {
    const file = join(dir, 'killed.db');
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', CHILD, src.dataDir, file, src.masterKey.reveal()],
      { env: { PATH: process.env['PATH'] ?? '' } },
    );
    let out = '';
    const exited = new Promise<string | null>((resolve) =>
      child.once('exit', (_code, signal) => resolve(signal)),
    );
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('copying')) resolve();
      });
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      child.once('exit', () => reject(new Error(`backup child exited: ${out}`)));
    });
    // Held in the middle of the copy, then killed.
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    expect(existsSync(file)).toBe(false);
    expect(existsSync(`${file}.json`)).toBe(false);
    // The pages copied so far are in the partial file only.
    const partial = readdirSync(dir).filter((f) => /^killed\.db\.partial-[0-9a-f]{8}$/.test(f));
    expect(partial).toHaveLength(1);

    const next = await cli(['backup', file]);
    expect(next.code, next.all).toBe(0);
    expect((await cli(['restore', file], targetEnv('after-kill'))).code).toBe(0);
  });

  it('a backup stopped between steps (Ctrl-C) removes its partial files and writes nothing', async () => {
    const file = join(dir, 'stopped.db');
    const ac = new AbortController();
    const run = createBackup({
      dataDir: src.dataDir,
      file,
      masterKeys: { current: parseMasterKey(src.masterKey.reveal()) },
      signal: ac.signal,
      pagesPerStep: () => {
        ac.abort();
        return 0;
      },
    });
    await expect(run).rejects.toMatchObject({
      code: 'ERR_BACKUP_INTERRUPTED',
      message: `backup interrupted: nothing was written at ${file}`,
    });
    expect(readdirSync(dir).filter((f) => f.startsWith('stopped.db'))).toEqual([]);
  });

  it('removes stale side files where there is no database yet', async () => {
    const dataDir = join(dir, 'stale');
    mkdirSync(dataDir);
    const db = join(dataDir, 'telvault.db');
    writeFileSync(`${db}-wal`, foreignWal(dir));
    writeFileSync(`${db}-shm`, randomBytes(32768));
    const r = await cli(['restore', good], targetEnv('stale'));
    expect(r.code, r.all).toBe(0);
    expect(r.out).toContain('chain intact');
  });

  it('prints no master key, token or secret value anywhere', () => {
    const manifests = readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .map((f) => readFileSync(join(dir, f), 'utf8'));
    const all = [...outputs, ...manifests].join('\n');
    expect(outputs.length).toBeGreaterThan(10);
    expect(all).not.toContain(CANARY);
    expect(all).not.toContain(src.masterKey.reveal());
    expect(all).not.toContain(src.rootToken);
  });
});
