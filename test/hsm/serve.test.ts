// `telvault serve` on a master key in a real SoftHSM2 token: keygen in the token, tenants created,
// secrets and credentials written and read, `keys status` naming the provider; then the token
// going away mid-run (the provider's fault seam): a tenant whose keys are cached is still served,
// one that needs an unwrap answers 503, and both are served again once the token is back.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TelvaultServer } from '../../src/app/server.js';
import { startServe } from '../../src/cli/serve-command.js';
import { pkcs11FaultSeam } from '../../src/services/keys/pkcs11/pkcs11-token.js';
import { openDatabase } from '../../src/store/database.js';
import { captureIo, runCliWithEnv } from '../support/cli.js';
import { hsmAvailable, startSoftHsm, type SoftHsm } from './softhsm.js';

describe.skipIf(!hsmAvailable)('serve on a PKCS#11 master key', () => {
  let hsm: SoftHsm;
  let dir: string;
  let env: Record<string, string>;
  let server: TelvaultServer | undefined;
  let url = '';
  let masterId = '';
  const root = `tvr_${randomBytes(32).toString('base64url')}`;
  const tenants: string[] = [];

  const readers = new Map<string, string>();

  async function call(method: string, path: string, body?: unknown, token = root) {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return {
      status: res.status,
      text,
      json: text === '' ? undefined : (JSON.parse(text) as unknown),
    };
  }

  const reveal = (id: string) =>
    call('POST', `/v1/tenants/${id}/secrets/api/reveal`, undefined, readers.get(id));

  async function serve(): Promise<void> {
    const io = captureIo();
    server = await startServe(env, io.io, 0);
    url = /listening on (\S+)/.exec(io.out())?.[1] ?? '';
  }

  beforeAll(async () => {
    hsm = startSoftHsm();
    dir = mkdtempSync(join(tmpdir(), 'telvault-hsm-serve-'));
    const uri = hsm.uri('telvault-master');
    const made = await runCliWithEnv(['keygen', '--pkcs11', uri], {});
    expect(made.code).toBe(0);
    masterId = /created master key (mk_[0-9a-f]{16})/.exec(made.out)?.[1] ?? '';
    expect(masterId).not.toBe('');
    expect(made.all).not.toContain(readFileSync(hsm.pinFile, 'utf8').trim());
    env = {
      TELVAULT_MASTER_KEY_PKCS11: uri,
      TELVAULT_ROOT_TOKEN: root,
      TELVAULT_DATA_DIR: dir,
      TELVAULT_LOG_LEVEL: 'silent',
    };
    await serve();
  });
  afterAll(async () => {
    pkcs11FaultSeam.tokenRemoved = false;
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
    hsm.close();
  });

  it('keygen refuses to replace the key', async () => {
    const again = await runCliWithEnv(['keygen', '--pkcs11', hsm.uri('telvault-master')], {});
    expect(again.code).toBe(1);
    expect(again.err).toContain('--pkcs11: token "tv-main" already holds a key labelled');
  });

  it('creates tenants and writes and reads their secrets and credentials', async () => {
    for (const name of ['one', 'two']) {
      const t = await call('POST', '/v1/tenants', { name });
      expect(t.status).toBe(201);
      const id = (t.json as { id: string }).id;
      tenants.push(id);
      const minted = await call('POST', `/v1/tenants/${id}/tokens`, {
        name: 'reader',
        scopes: ['secrets:reveal'],
      });
      expect(minted.status).toBe(201);
      readers.set(id, (minted.json as { token: string }).token);
      expect(
        (await call('PUT', `/v1/tenants/${id}/secrets/api`, { value: `v-${id}` })).status,
      ).toBe(200);
      const cred = await call('PUT', `/v1/tenants/${id}/credentials/retell`, {
        apiKey: `key_${randomBytes(14).toString('hex')}`,
      });
      expect(cred.status).toBe(200);
      expect((await call('GET', `/v1/tenants/${id}/credentials/retell`)).status).toBe(200);
      const r = await reveal(id);
      expect(r.status).toBe(200);
      expect(r.text).toContain(`v-${id}`);
    }
    // Every wrapped key names the token's key.
    const opened = await openDatabase({ dataDir: dir, databaseUrl: undefined });
    try {
      const rows = await opened.db.selectFrom('tenant_keys').select('wrapped').execute();
      expect(rows.length).toBeGreaterThanOrEqual(5); // system, audit, 2 x (data, index)
      for (const row of rows) expect(row.wrapped.startsWith(`tvk1.${masterId}.`)).toBe(true);
    } finally {
      await opened.close();
    }
  });

  it('keys status shows the provider of every key', async () => {
    const status = await runCliWithEnv(['keys', 'status'], env);
    expect(status.code).toBe(0);
    expect(status.out).toContain(`master key ${masterId} current provider=pkcs11`);
    expect(status.out).toMatch(
      new RegExp(`data v1 primary rows=\\d+ master=${masterId} provider=pkcs11`),
    );
    expect(status.out).not.toContain('provider=local');
  });

  it('answers 503 for an unwrap while the token is away, serves cached tenants, and recovers', async () => {
    // A fresh node: nothing cached. Tenant one is read (cached); tenant two is not.
    await server?.close();
    await serve();
    const [one, two] = tenants as [string, string];
    expect((await reveal(one)).status).toBe(200);

    pkcs11FaultSeam.tokenRemoved = true;
    const away = await reveal(two);
    expect(away.status).toBe(503);
    expect(away.json).toMatchObject({ error: { code: 'ERR_TENANT_KEYS_UNAVAILABLE' } });
    expect(away.text).not.toContain(`v-${two}`);
    const cached = await reveal(one);
    expect(cached.status).toBe(200);
    expect(cached.text).toContain(`v-${one}`);

    // A wrap needs the token too: no tenant is created, and nothing weaker wraps its keys.
    const created = await call('POST', '/v1/tenants', { name: 'during the outage' });
    expect(created.status).toBe(503);
    expect(created.json).toMatchObject({ error: { code: 'ERR_UNAVAILABLE' } });
    const opened = await openDatabase({ dataDir: dir, databaseUrl: undefined });
    try {
      const names = await opened.db.selectFrom('tenants').select('name').execute();
      expect(names.map((n) => n.name)).not.toContain('during the outage');
    } finally {
      await opened.close();
    }

    pkcs11FaultSeam.tokenRemoved = false;
    const back = await reveal(two);
    expect(back.status).toBe(200);
    expect(back.text).toContain(`v-${two}`);
  });
});
