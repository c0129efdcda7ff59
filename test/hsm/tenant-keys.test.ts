// The tenant key operations on an HSM master key, as they run on a local one: a data-key rotation
// (re-encrypting the tenant's rows), a blind-index key rotation, and a tenant's deletion, through
// the CLI while the data stays readable through `serve`.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/database.js';
import { runCliWithEnv } from '../support/cli.js';
import { withServe, type Caller } from './serve-support.js';
import { hsmAvailable, startSoftHsm, type SoftHsm } from './softhsm.js';

describe.skipIf(!hsmAvailable)('tenant keys under a PKCS#11 master key', () => {
  let hsm: SoftHsm;
  let dir: string;
  let env: Record<string, string>;
  let masterId = '';
  const root = `tvr_${randomBytes(32).toString('base64url')}`;

  const withServer = <T>(fn: (call: Caller) => Promise<T>): Promise<T> => withServe(env, root, fn);

  async function keyRows(tenantId: string) {
    const opened = await openDatabase({ dataDir: dir, databaseUrl: undefined });
    try {
      return await opened.db
        .selectFrom('tenant_keys')
        .select(['kind', 'version', 'state', 'master_key_id'])
        .where('tenant_id', '=', tenantId)
        .orderBy('kind')
        .orderBy('version')
        .execute();
    } finally {
      await opened.close();
    }
  }

  beforeAll(async () => {
    hsm = startSoftHsm();
    dir = mkdtempSync(join(tmpdir(), 'telvault-hsm-tenant-'));
    const uri = hsm.uri('tenant-suite');
    const made = await runCliWithEnv(['keygen', '--pkcs11', uri], {});
    masterId = /(mk_[0-9a-f]{16})/.exec(made.out)?.[1] ?? '';
    env = {
      TELVAULT_MASTER_KEY_PKCS11: uri,
      TELVAULT_ROOT_TOKEN: root,
      TELVAULT_DATA_DIR: dir,
      TELVAULT_LOG_LEVEL: 'silent',
    };
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
    hsm.close();
  });

  it('rotates a data key and a blind-index key, then deletes the tenant', async () => {
    const { tenant, token } = await withServer(async (call) => {
      const t = JSON.parse((await call('POST', '/v1/tenants', { name: 'rotated' })).text) as {
        id: string;
      };
      const minted = await call('POST', `/v1/tenants/${t.id}/tokens`, {
        name: 'reader',
        scopes: ['secrets:reveal'],
      });
      for (const n of ['a', 'b', 'c']) {
        expect(
          (await call('PUT', `/v1/tenants/${t.id}/secrets/${n}`, { value: `v-${n}` })).status,
        ).toBe(200);
      }
      return { tenant: t.id, token: (JSON.parse(minted.text) as { token: string }).token };
    });
    const data = await runCliWithEnv(['keys', 'rotate-tenant', tenant], env);
    expect(data.code, data.all).toBe(0);
    const index = await runCliWithEnv(['keys', 'rotate-tenant', tenant, '--index'], env);
    expect(index.code, index.all).toBe(0);
    const rows = await keyRows(tenant);
    expect(rows.filter((r) => r.state === 'primary').map((r) => [r.kind, r.version])).toEqual([
      ['data', 2],
      ['index', 2],
    ]);
    for (const r of rows) expect(r.master_key_id).toBe(masterId);

    await withServer(async (call) => {
      for (const n of ['a', 'b', 'c']) {
        const r = await call('POST', `/v1/tenants/${tenant}/secrets/${n}/reveal`, undefined, token);
        expect(r.status).toBe(200);
        expect(r.text).toContain(`v-${n}`);
      }
    });

    const deleted = await runCliWithEnv(['tenant', 'delete', tenant], env);
    expect(deleted.code, deleted.all).toBe(0);
    expect(await keyRows(tenant)).toEqual([]);
  });
});
