// Moving a deployment between providers is an ordinary `keys rotate-master`, the previous key given
// by its own provider: local -> HSM key A -> HSM key B (another token) -> local, with `serve`
// writing data between steps and every value readable at the end; a missing previous key is
// detected (and nothing changes) while keys still need it.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMasterKey } from '../../src/crypto/index.js';
import { openDatabase } from '../../src/store/database.js';
import { runCliWithEnv } from '../support/cli.js';
import { withServe, type Caller } from './serve-support.js';
import { hsmAvailable, startSoftHsm, type SoftHsm } from './softhsm.js';

type Keys = Record<string, string>;

describe.skipIf(!hsmAvailable)('rotate-master across providers', () => {
  let hsm: SoftHsm;
  let dir: string;
  const root = `tvr_${randomBytes(32).toString('base64url')}`;
  const local = randomBytes(32).toString('base64');
  const localId = parseMasterKey(local).id;
  let uriA = '';
  let uriB = '';
  const ids: Record<string, string> = {};
  /** tenant id -> its reveal token and the secrets written to it (name -> value). */
  const written = new Map<string, { token: string; secrets: Map<string, string> }>();

  const base = () => ({
    TELVAULT_ROOT_TOKEN: root,
    TELVAULT_DATA_DIR: dir,
    TELVAULT_LOG_LEVEL: 'silent',
  });

  const withServer = <T>(keys: Keys, fn: (call: Caller) => Promise<T>): Promise<T> =>
    withServe({ ...base(), ...keys }, root, fn);

  /** Under `keys`: a new tenant with a secret, and one more secret in every earlier tenant. */
  async function writeStep(keys: Keys, step: string): Promise<void> {
    await withServer(keys, async (call) => {
      const t = await call('POST', '/v1/tenants', { name: `tenant-${step}` });
      expect(t.status).toBe(201);
      const id = (JSON.parse(t.text) as { id: string }).id;
      const minted = await call('POST', `/v1/tenants/${id}/tokens`, {
        name: 'reader',
        scopes: ['secrets:reveal'],
      });
      expect(minted.status).toBe(201);
      written.set(id, {
        token: (JSON.parse(minted.text) as { token: string }).token,
        secrets: new Map(),
      });
      for (const [tenant, w] of written) {
        const value = `value-${step}-${randomBytes(6).toString('hex')}`;
        const put = await call('PUT', `/v1/tenants/${tenant}/secrets/s-${step}`, { value });
        expect(put.status).toBe(200);
        w.secrets.set(`s-${step}`, value);
      }
    });
  }

  async function wrappers(): Promise<string[]> {
    const opened = await openDatabase({ dataDir: dir, databaseUrl: undefined });
    try {
      const rows = await opened.db.selectFrom('tenant_keys').select('master_key_id').execute();
      return [...new Set(rows.map((r) => r.master_key_id))].sort();
    } finally {
      await opened.close();
    }
  }

  async function rotate(keys: Keys, to: string): Promise<void> {
    const r = await runCliWithEnv(['keys', 'rotate-master'], { ...base(), ...keys });
    expect(r.code, r.all).toBe(0);
    expect(await wrappers()).toEqual([to]);
  }

  beforeAll(async () => {
    hsm = startSoftHsm();
    hsm.addToken('tv-second');
    dir = mkdtempSync(join(tmpdir(), 'telvault-hsm-rotate-'));
    uriA = hsm.uri('key-a');
    uriB = hsm.uri('key-b', { token: 'tv-second' });
    for (const [name, uri] of [
      ['a', uriA],
      ['b', uriB],
    ] as const) {
      const made = await runCliWithEnv(['keygen', '--pkcs11', uri], {});
      expect(made.code, made.all).toBe(0);
      ids[name] = /(mk_[0-9a-f]{16})/.exec(made.out)?.[1] ?? '';
    }
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
    hsm.close();
  });

  it('local -> HSM -> another HSM key -> local, every value readable at the end', async () => {
    const a = ids['a'] ?? '';
    const b = ids['b'] ?? '';
    await writeStep({ TELVAULT_MASTER_KEY: local }, 'local');
    expect(await wrappers()).toEqual([localId]);

    await rotate({ TELVAULT_MASTER_KEY_PKCS11: uriA, TELVAULT_MASTER_KEY_PREVIOUS: local }, a);
    await writeStep({ TELVAULT_MASTER_KEY_PKCS11: uriA }, 'hsm-a');
    expect(await wrappers()).toEqual([a]);

    await rotate(
      { TELVAULT_MASTER_KEY_PKCS11: uriB, TELVAULT_MASTER_KEY_PREVIOUS_PKCS11: uriA },
      b,
    );
    await writeStep({ TELVAULT_MASTER_KEY_PKCS11: uriB }, 'hsm-b');

    // Without key B, the keys it wraps cannot move: refused, naming B, and nothing changes.
    const refused = await runCliWithEnv(['keys', 'rotate-master'], {
      ...base(),
      TELVAULT_MASTER_KEY: local,
    });
    expect(refused.code).toBe(1);
    expect(refused.all).toContain(b);
    expect(refused.all).toContain('TELVAULT_MASTER_KEY_PREVIOUS');
    expect(await wrappers()).toEqual([b]);
    // Nor does a node start without it.
    await expect(
      withServer({ TELVAULT_MASTER_KEY: local }, () => Promise.resolve()),
    ).rejects.toMatchObject({ message: expect.stringContaining(b) as unknown });

    await rotate(
      { TELVAULT_MASTER_KEY: local, TELVAULT_MASTER_KEY_PREVIOUS_PKCS11: uriB },
      localId,
    );
    await writeStep({ TELVAULT_MASTER_KEY: local }, 'local-again');

    const status = await runCliWithEnv(['keys', 'status'], {
      ...base(),
      TELVAULT_MASTER_KEY: local,
    });
    expect(status.out).toContain(`master key ${localId} current provider=local`);
    expect(status.out).not.toContain('provider=pkcs11');

    await withServer({ TELVAULT_MASTER_KEY: local }, async (call) => {
      expect(written.size).toBe(4);
      for (const [tenant, w] of written) {
        for (const [name, value] of w.secrets) {
          const r = await call(
            'POST',
            `/v1/tenants/${tenant}/secrets/${name}/reveal`,
            undefined,
            w.token,
          );
          expect(r.status).toBe(200);
          expect(r.text).toContain(value);
        }
      }
    });
  });
});
