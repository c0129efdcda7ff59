// Master-key rotation in a `telvault dev` data directory: the new key file is written atomically
// with the old one kept beside it until the rotation is done; a running dev server that does not
// hold the new key blocks the rotation (it would otherwise go on wrapping under the old key), and
// once restarted (holding both) it wraps under the new key the moment it is current.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDev } from '../../src/cli/dev-command.js';
import { parseMasterKey } from '../../src/crypto/index.js';
import type { TelvaultServer } from '../../src/app/server.js';
import { openDatabase } from '../../src/store/database.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { DIALECTS } from '../store/harness.js';
import { runCliWithEnv } from '../support/cli.js';

describe.each(DIALECTS)('master-key rotation in a dev data directory on %s', (dialect) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tv-devrot-'));
  const keyFile = join(dataDir, 'master.key');
  const previousFile = join(dataDir, 'master.key.previous');
  const k2 = randomBytes(32).toString('base64');
  let pg: TestDatabase | undefined;
  let env: Record<string, string>;
  let dev: TelvaultServer | undefined;
  let url = '';
  let root = '';

  async function cli(args: string[], extra: Record<string, string> = {}) {
    const r = await runCliWithEnv(args, { ...env, ...extra });
    return { code: r.code, out: r.all };
  }

  async function startDevServer(): Promise<void> {
    const out: string[] = [];
    dev = await startDev(
      env,
      { write: (s) => out.push(s), writeError: () => undefined },
      { port: 0 },
    );
    const text = out.join('');
    url = /API\s+(\S+)/.exec(text)?.[1] ?? '';
    root = /root token (tvr_\S+)/.exec(text)?.[1] ?? root;
  }

  async function createTenant(name: string): Promise<string> {
    const r = await fetch(`${url}/v1/tenants`, {
      method: 'POST',
      headers: { authorization: `Bearer ${root}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name }),
    });
    expect(r.status).toBe(201);
    return ((await r.json()) as { id: string }).id;
  }

  async function putSecret(tenantId: string): Promise<number> {
    const r = await fetch(`${url}/v1/tenants/${tenantId}/secrets/s`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${root}`, 'content-type': 'application/json' },
      body: JSON.stringify({ value: 'v' }),
    });
    return r.status;
  }

  async function wrappers(tenantId: string): Promise<string[]> {
    const o = await openDatabase({ dataDir, databaseUrl: pg?.url });
    try {
      const rows = await o.db
        .selectFrom('tenant_keys')
        .select('master_key_id')
        .where('tenant_id', '=', tenantId)
        .distinct()
        .execute();
      return rows.map((r) => r.master_key_id);
    } finally {
      await o.close();
    }
  }

  const idOf = (text: string) => parseMasterKey(text).id;
  const mode = (path: string) => statSync(path).mode & 0o777;

  beforeAll(async () => {
    pg = dialect === 'postgres' ? await createTestDatabase('devrot') : undefined;
    env = {
      TELVAULT_DATA_DIR: dataDir,
      TELVAULT_PROVIDERS: 'live',
      TELVAULT_LOG_LEVEL: 'silent',
      ...(pg === undefined ? {} : { TELVAULT_DATABASE_URL: pg.url }),
    };
  });
  afterAll(async () => {
    await dev?.close();
    await pg?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps both key files until the rotation is done, and no tenant is left on the old key', async () => {
    await startDevServer();
    const k1 = readFileSync(keyFile, 'utf8').trim();
    const first = await createTenant('first');
    expect(await putSecret(first)).toBe(200);

    // The running dev server holds only k1: making k2 current would strand what it wraps.
    const refused = await cli(['keys', 'rotate-master'], { TELVAULT_MASTER_KEY: k2 });
    expect(refused.code).toBe(1);
    expect(refused.out).toContain('do not hold it');
    expect(refused.out).toContain('restart `telvault dev`');
    // The files already hold both keys, written whole and private.
    expect(readFileSync(keyFile, 'utf8').trim()).toBe(k2);
    expect(readFileSync(previousFile, 'utf8').trim()).toBe(k1);
    expect([mode(keyFile), mode(previousFile)]).toEqual([0o600, 0o600]);
    // Meanwhile the dev server goes on, under k1, which is still current.
    const during = await createTenant('during');
    expect(await wrappers(during)).toEqual([idOf(k1)]);

    // Restarted, the dev server holds both; the rotation goes through with it running.
    await dev?.close();
    await startDevServer();
    const done = await cli(['keys', 'rotate-master'], { TELVAULT_MASTER_KEY: k2 });
    expect(done.code).toBe(0);
    expect(done.out).toContain('the previous one is no longer needed');
    expect(done.out).toContain(`removed ${previousFile}`);
    expect(existsSync(previousFile)).toBe(false);
    expect(readFileSync(keyFile, 'utf8').trim()).toBe(k2);
    for (const t of [first, during]) expect(await wrappers(t)).toEqual([idOf(k2)]);
    // Without a restart, the dev server now wraps under k2 and opens everything.
    const after = await createTenant('after');
    expect(await wrappers(after)).toEqual([idOf(k2)]);
    for (const t of [first, during, after]) expect(await putSecret(t)).toBe(200);
    await dev?.close();
    dev = undefined;

    // Later commands use the new key file and need nothing else.
    const status = await cli(['keys', 'status']);
    expect(status.code).toBe(0);
    expect(status.out).toContain(`master keys in use: ${idOf(k2)}\n`);
    expect(status.out).toContain(`master key ${idOf(k1)} retired`);
    expect((await cli(['tenant', 'create', 'later'])).code).toBe(0);
    await startDevServer();
    expect(await putSecret(first)).toBe(200);
  });

  it('names the variables that supply a master key when one is missing', async () => {
    await dev?.close();
    dev = undefined;
    rmSync(keyFile); // the dev key file lost: the command only has a stranger key
    const r = await cli(['keys', 'rotate-master'], {
      TELVAULT_MASTER_KEY: randomBytes(32).toString('base64'),
    });
    expect(r.code).toBe(1);
    expect(r.out).toContain('not configured');
    expect(r.out).toContain('TELVAULT_MASTER_KEY_PREVIOUS');
    expect(r.out).toContain('TELVAULT_MASTER_KEY_NEXT');
  });
});
