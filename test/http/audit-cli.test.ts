// The external anchor through the real CLI: `telvault audit head` prints every stream's head as one
// MAC'd line; `telvault audit verify --head FILE` finds a database rolled back to an older copy
// (which is internally consistent, so plain `verify` cannot), and refuses an edited head line.
// Master-key rotation rewraps the audit key, and the chain still verifies with the new key alone.
import { randomBytes } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { parseMasterKey } from '../../src/crypto/index.js';
import { openDatabase, type AuditHeadsTable } from '../../src/store/database.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { DIALECTS } from '../support/server.js';
import { stubTelvaultEnv } from '../support/cli.js';

function setEnv(vars: Record<string, string | undefined>): void {
  stubTelvaultEnv(vars);
}

async function run(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, {
    write: (s) => void out.push(s),
    writeError: (s) => void err.push(s),
  });
  return { code, out: out.join(''), err: err.join('') };
}

const key32 = () => randomBytes(32).toString('base64');

afterEach(() => {
  vi.unstubAllEnvs();
});

describe.each(DIALECTS)('audit head and verify --head on %s', (dialect) => {
  let dir = '';
  let pg: TestDatabase | undefined;

  async function withDb<T>(fn: (db: Awaited<ReturnType<typeof openDatabase>>['db']) => Promise<T>) {
    const opened = await openDatabase({ databaseUrl: pg?.url, dataDir: dir });
    try {
      return await fn(opened.db);
    } finally {
      await opened.close();
    }
  }

  async function setUp(): Promise<{ env: Record<string, string | undefined> }> {
    dir = mkdtempSync(join(tmpdir(), 'tv-audit-cli-'));
    pg = dialect === 'postgres' ? await createTestDatabase('auditcli') : undefined;
    const env = {
      TELVAULT_DATA_DIR: dir,
      TELVAULT_MASTER_KEY: key32(),
      TELVAULT_DATABASE_URL: pg?.url,
    };
    setEnv(env);
    return { env };
  }

  async function tearDown() {
    if (pg !== undefined) await new Promise((r) => setTimeout(r, 200));
    await pg?.drop();
    rmSync(dir, { recursive: true, force: true });
  }

  async function headFile(name: string): Promise<string> {
    const h = await run('audit', 'head');
    expect(h.code, h.err).toBe(0);
    expect(h.out).toMatch(/^tvah2\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}\n$/);
    const file = join(dir, name);
    writeFileSync(file, h.out);
    return file;
  }

  it('detects a database rolled back to an older copy, only against a later head line', async () => {
    await setUp();
    try {
      const a = (await run('tenant', 'create', 'Acme')).out.split('\t')[0] ?? '';
      expect((await run('token', 'create', '--tenant', a, '--scopes', 'audit:read')).code).toBe(0);
      const h1 = await headFile('h1');
      const ok = await run('audit', 'verify', '--head', h1);
      expect(ok.code, ok.err).toBe(0);
      expect(ok.out).toContain('2 events in 2 streams: chain intact');
      expect(ok.out).toMatch(/no stream is behind the head file of \S+ \(2 streams\)/);

      // The older copy.
      const copy = join(dir, 'older.db');
      let savedHeads: AuditHeadsTable[] = [];
      if (dialect === 'sqlite') copyFileSync(join(dir, 'telvault.db'), copy);
      else savedHeads = await withDb((db) => db.selectFrom('audit_heads').selectAll().execute());

      expect((await run('token', 'create', '--tenant', a, '--scopes', 'audit:read')).code).toBe(0);
      const b = (await run('tenant', 'create', 'Beta')).out.split('\t')[0] ?? '';
      const h2 = await headFile('h2');
      expect((await run('audit', 'verify', '--head', h2)).code).toBe(0);

      // Roll back: SQLite, the file; PostgreSQL, the newest rows and the heads as they were.
      if (dialect === 'sqlite') {
        for (const f of ['telvault.db-wal', 'telvault.db-shm']) {
          if (existsSync(join(dir, f))) rmSync(join(dir, f));
        }
        copyFileSync(copy, join(dir, 'telvault.db'));
      } else {
        await withDb(async (db) => {
          for (const h of savedHeads) {
            const tenant = h.stream === 'operator' ? null : h.stream;
            let q = db.deleteFrom('audit_events').where('seq', '>', h.seq);
            q =
              tenant === null
                ? q.where('tenant_id', 'is', null)
                : q.where('tenant_id', '=', tenant);
            await q.execute();
            await db.updateTable('audit_heads').set(h).where('stream', '=', h.stream).execute();
          }
          await db.deleteFrom('audit_heads').where('stream', '=', b).execute();
          await db.deleteFrom('tenant_keys').where('tenant_id', '=', b).execute();
          await db.deleteFrom('tenants').where('id', '=', b).execute();
        });
      }
      // Internally consistent: nothing in the database alone shows it.
      const alone = await run('audit', 'verify');
      expect(alone.code, alone.out).toBe(0);
      expect(alone.out).toContain('2 events in 2 streams: chain intact');
      // Against the later head line, every stream it moved is behind, and the new one missing.
      const behind = await run('audit', 'verify', '--head', h2);
      expect(behind.code).toBe(1);
      expect(behind.out).toContain(
        "BROKEN stream operator at seq 1: behind the head file: its head is at seq 1, the head file's at seq 2 (rolled back?)",
      );
      expect(behind.out).toContain(
        `BROKEN stream ${a} at seq 1: behind the head file: its head is at seq 1, the head file's at seq 2 (rolled back?)`,
      );
      expect(behind.out).toContain(
        `BROKEN stream ${b} at seq 0: stream missing: no head row and no events`,
      );
      expect(behind.out).toContain('chain BROKEN');
      // The older line matches the older copy.
      expect((await run('audit', 'verify', '--head', h1)).code).toBe(0);
    } finally {
      await tearDown();
    }
  });

  it('refuses a head line that was edited or is not one, and a file it cannot read', async () => {
    await setUp();
    try {
      expect((await run('tenant', 'create', 'Acme')).code).toBe(0);
      const h = await headFile('h');
      const line = readFileSync(h, 'utf8').trim();
      const [marker, payload, mac] = line.split('.');
      const json = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString('utf8')) as {
        heads: [string, number, string][];
      };
      for (const head of json.heads) head[1] += 5; // claim the heads were further on
      const edited = `${marker}.${Buffer.from(JSON.stringify(json)).toString('base64url')}.${mac}`;
      writeFileSync(h, `${edited}\n`);
      const forged = await run('audit', 'verify', '--head', h);
      expect(forged.code).toBe(1);
      expect(forged.err).toContain(
        "head file: its MAC does not match (edited, or not made with this deployment's audit key)",
      );
      writeFileSync(h, 'not a head line\n');
      const junk = await run('audit', 'verify', '--head', h);
      expect(junk.code).toBe(1);
      expect(junk.err).toContain('head file: not a line printed by `telvault audit head`');
      const missing = await run('audit', 'verify', '--head', join(dir, 'nope'));
      expect(missing.code).toBe(1);
      expect(missing.err).toContain(`--head: cannot read ${join(dir, 'nope')} (ENOENT)`);
    } finally {
      await tearDown();
    }
  });

  it('refuses to run when the audit key does not unwrap, saying which key', async () => {
    await setUp();
    try {
      expect((await run('tenant', 'create', 'Acme')).code).toBe(0);
      // A tenant data key's wrapped text in the audit key's row: a valid wrap, for another purpose.
      await withDb(async (db) => {
        const system = await db
          .selectFrom('tenant_keys')
          .select('wrapped')
          .where('kind', '=', 'data')
          .executeTakeFirstOrThrow();
        await db
          .updateTable('tenant_keys')
          .set({ wrapped: system.wrapped })
          .where('kind', '=', 'audit')
          .execute();
      });
      const r = await run('audit', 'verify');
      expect(r.code).toBe(1);
      expect(r.err).toBe(
        'telvault: the audit key does not unwrap with the configured master key\n',
      );
    } finally {
      await tearDown();
    }
  });

  it('rewraps the audit key in a master-key rotation; the chain verifies with the new key alone', async () => {
    const { env } = await setUp();
    try {
      const a = (await run('tenant', 'create', 'Acme')).out.split('\t')[0] ?? '';
      expect((await run('token', 'create', '--tenant', a, '--scopes', 'audit:read')).code).toBe(0);
      const h = await headFile('h');
      const oldKey = env.TELVAULT_MASTER_KEY ?? '';
      const newKey = key32();
      setEnv({ ...env, TELVAULT_MASTER_KEY: newKey, TELVAULT_MASTER_KEY_PREVIOUS: oldKey });
      const rotated = await run('keys', 'rotate-master');
      expect(rotated.code, rotated.err).toBe(0);
      expect(rotated.out).toContain('the previous one is no longer needed');
      setEnv({ ...env, TELVAULT_MASTER_KEY: newKey });
      const auditKey = await withDb((db) =>
        db.selectFrom('tenant_keys').selectAll().where('kind', '=', 'audit').execute(),
      );
      expect(auditKey.map((k) => [k.id, k.tenant_id, k.master_key_id])).toEqual([
        ['system.a1', null, parseMasterKey(newKey).id],
      ]);
      const v = await run('audit', 'verify', '--head', h);
      expect(v.code, v.out + v.err).toBe(0);
      // tenant.create and keys.rotate-master (operator), token.create (the tenant's).
      expect(v.out).toContain('3 events in 2 streams: chain intact');
      expect((await run('token', 'create', '--tenant', a, '--scopes', 'audit:read')).code).toBe(0);
      expect((await run('audit', 'verify')).code).toBe(0);
    } finally {
      await tearDown();
    }
  });
});
