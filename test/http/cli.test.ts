// The server's CLI: `serve` refusals, `dev` first run (key file 0600, root token once) and reuse,
// and the operator commands (tenant, token, audit verify) against SQLite and PostgreSQL.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { startDev } from '../../src/cli/dev-command.js';
import { startServe } from '../../src/cli/serve-command.js';
import { openDatabase } from '../../src/store/database.js';
import { createTestDatabase } from '../support/postgres.js';
import { DIALECTS } from '../support/server.js';
import { captureIo, stubTelvaultEnv } from '../support/cli.js';

function setEnv(vars: Record<string, string | undefined>): void {
  stubTelvaultEnv(vars);
}

const key32 = () => randomBytes(32).toString('base64');
const longToken = () => `tvr_${randomBytes(32).toString('base64url')}`;

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('telvault serve', () => {
  it('refuses without a master key and root token, naming both', async () => {
    setEnv({ TELVAULT_DATA_DIR: mkdtempSync(join(tmpdir(), 'tv-serve-')) });
    const c = captureIo();
    expect(await runCli(['serve', '--port', '0'], c.io)).toBe(1);
    expect(c.err()).toContain('refusing to start');
    expect(c.err()).toContain('TELVAULT_MASTER_KEY (or TELVAULT_MASTER_KEY_FILE) is not set');
    expect(c.err()).toContain('TELVAULT_ROOT_TOKEN is not set');
  });

  it('refuses a master key that is not 32 bytes and a short root token, without echoing them', async () => {
    const shortKey = randomBytes(16).toString('base64');
    setEnv({ TELVAULT_MASTER_KEY: shortKey, TELVAULT_ROOT_TOKEN: 'tooshort-123' });
    const c = captureIo();
    expect(await runCli(['serve', '--port', '0'], c.io)).toBe(1);
    expect(c.err()).toContain(
      'TELVAULT_MASTER_KEY is not a usable master key: "master key" expected 32 bytes, got 16',
    );
    expect(c.err()).toContain('TELVAULT_ROOT_TOKEN is 12 characters long: it must be at least 32');
    expect(c.err()).not.toContain(shortKey);
    expect(c.err()).not.toContain('tooshort-123');
  });

  it('starts with a 32-byte key and a long root token', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tv-serve-'));
    const root = longToken();
    const env = {
      TELVAULT_MASTER_KEY: key32(),
      TELVAULT_ROOT_TOKEN: root,
      TELVAULT_DATA_DIR: dir,
      TELVAULT_LOG_LEVEL: 'silent',
    };
    const c = captureIo();
    const server = await startServe(env, c.io, 0);
    try {
      const url = /listening on (\S+)/.exec(c.out())?.[1] ?? '';
      const r = await fetch(`${url}/v1/tenants`, { headers: { authorization: `Bearer ${root}` } });
      expect(r.status).toBe(200);
    } finally {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('telvault dev', () => {
  it('creates a 0600 master key file and a root token on first run, and reuses them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tv-dev-'));
    const env = { TELVAULT_DATA_DIR: dir, TELVAULT_LOG_LEVEL: 'silent' as const };
    try {
      const first = captureIo();
      let server = await startDev(env, first.io, { port: 0 });
      const keyFile = join(dir, 'master.key');
      expect(statSync(keyFile).mode & 0o777).toBe(0o600);
      expect(statSync(join(dir, 'root-token.sha256')).mode & 0o777).toBe(0o600);
      expect(Buffer.from(readFileSync(keyFile, 'utf8').trim(), 'base64')).toHaveLength(32);
      expect(first.out()).toContain('DEVELOPMENT MODE');
      expect(first.out()).toContain('(created)');
      expect(first.out()).toMatch(/sandbox\s+http:\/\/127\.0\.0\.1:\d+/);
      const token = /root token (tvr_\S+)/.exec(first.out())?.[1] ?? '';
      expect(token).toMatch(/^tvr_/);
      expect(readFileSync(join(dir, 'root-token.sha256'), 'utf8')).not.toContain(token);
      let url = /API\s+(\S+)/.exec(first.out())?.[1] ?? '';
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const made = await fetch(`${url}/v1/tenants`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'kept' }),
      });
      expect(made.status).toBe(201);
      const key = readFileSync(keyFile, 'utf8');
      await server.close();

      const second = captureIo();
      server = await startDev(env, second.io, { port: 0 });
      expect(readFileSync(keyFile, 'utf8')).toBe(key);
      expect(second.out()).not.toContain('(created)');
      expect(second.out()).not.toMatch(/root token tvr_/);
      url = /API\s+(\S+)/.exec(second.out())?.[1] ?? '';
      const list = await fetch(`${url}/v1/tenants`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(
        ((await list.json()) as { tenants: { name: string }[] }).tenants.map((t) => t.name),
      ).toEqual(['kept']);
      await server.close();

      const third = captureIo();
      server = await startDev(env, third.io, { port: 0, newRootToken: true });
      url = /API\s+(\S+)/.exec(third.out())?.[1] ?? '';
      expect(
        (await fetch(`${url}/v1/tenants`, { headers: { authorization: `Bearer ${token}` } }))
          .status,
      ).toBe(401);
      await server.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.each(DIALECTS)('operator commands on %s', (dialect) => {
  it('creates tenants and tokens, lists them, revokes, and audit verify detects tampering', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tv-op-'));
    const pg = dialect === 'postgres' ? await createTestDatabase('cli') : undefined;
    setEnv({
      TELVAULT_DATA_DIR: dir,
      TELVAULT_MASTER_KEY: key32(),
      TELVAULT_DATABASE_URL: pg?.url,
    });
    const run = async (...argv: string[]) => {
      const c = captureIo();
      const code = await runCli(argv, c.io);
      return { code, out: c.out(), err: c.err() };
    };
    try {
      const created = await run('tenant', 'create', 'Acme Voice');
      expect(created.code, created.err).toBe(0);
      const tenantId = created.out.split('\t')[0] ?? '';
      expect((await run('tenant', 'list')).out).toContain('Acme Voice');
      const bad = await run('token', 'create', '--tenant', tenantId, '--scopes', 'audit:read,nope');
      expect(bad.code).toBe(1);
      expect(bad.err).toContain('--scopes: must be a comma-separated list');
      const tok = await run(
        'token',
        'create',
        '--tenant',
        tenantId,
        '--scopes',
        'audit:read,secrets:read',
        '--name',
        'ci',
      );
      expect(tok.code, tok.err).toBe(0);
      const value = tok.out.split('\n')[0] ?? '';
      expect(value).toMatch(/^tvk_/);
      const tokenId = /^id (\S+)/m.exec(tok.out)?.[1] ?? '';
      const listed = await run('token', 'list', '--tenant', tenantId);
      expect(listed.out).toContain(tokenId);
      expect(listed.out).toContain('active');
      expect(listed.out).not.toContain(value);
      expect((await run('token', 'revoke', tokenId, '--tenant', tenantId)).code).toBe(0);
      expect((await run('token', 'list', '--tenant', tenantId)).out).toContain('revoked');

      const ok = await run('audit', 'verify');
      expect(ok.code, ok.err).toBe(0);
      expect(ok.out).toMatch(/3 events in 2 streams: chain intact/);

      const opened = await openDatabase({ databaseUrl: pg?.url, dataDir: dir });
      await sql`update audit_events set actor = 'someone-else' where action = 'token.create'`.execute(
        opened.db,
      );
      await opened.close();
      const broken = await run('audit', 'verify');
      expect(broken.code).toBe(1);
      expect(broken.out).toContain(`BROKEN stream ${tenantId} at seq 1`);
      expect(broken.out).toContain('hash does not match the event contents');

      expect((await run('tenant', 'delete', tenantId)).code).toBe(0);
      expect((await run('tenant', 'list')).out).not.toContain('Acme Voice');
    } finally {
      // Let the pool's sockets finish closing before the database is dropped WITH (FORCE).
      if (pg !== undefined) await new Promise((r) => setTimeout(r, 200));
      await pg?.drop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
