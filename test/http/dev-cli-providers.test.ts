// The CLI commands that reach providers, run on the data directory of a running `telvault dev`,
// use dev's sandbox (recorded with dev's state): trunk setup and a live status succeed. Once dev
// has stopped they are refused before any provider call, naming the variables that say where to.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { TelvaultServer } from '../../src/app/server.js';
import { startDev } from '../../src/cli/dev-command.js';
import { DEV_SANDBOX_RECORD_FILE } from '../../src/cli/dev-sandbox-record.js';
import { captureIo, runCliWithEnv, stubTelvaultEnv } from '../support/cli.js';

describe("CLI provider commands on a running dev's data directory", () => {
  const dir = mkdtempSync(join(tmpdir(), 'telvault-dev-cli-'));
  let dev: TelvaultServer | undefined;
  afterAll(async () => {
    await dev?.close();
    vi.unstubAllEnvs();
    rmSync(dir, { recursive: true, force: true });
  });

  it("uses dev's sandbox while dev runs, and says what to set once it is gone", async () => {
    stubTelvaultEnv({ TELVAULT_LOG_LEVEL: 'warn' });
    const io = captureIo();
    dev = await startDev(process.env, io.io, { dataDir: dir, port: 0 });
    vi.unstubAllEnvs();
    const url = /API\s+(\S+)/.exec(io.out())?.[1] ?? '';
    const root = /root token (tvr_\S+)/.exec(io.out())?.[1] ?? '';
    expect(existsSync(join(dir, DEV_SANDBOX_RECORD_FILE))).toBe(true);

    const seed = JSON.parse(readFileSync(join(dir, 'sandbox-seed.json'), 'utf8')) as {
      twilio: { accounts: { sid: string; authToken: string }[] };
    };
    const account = seed.twilio.accounts[0];
    const api = async (method: string, path: string, body: unknown) => {
      const r = await fetch(`${url}${path}`, {
        method,
        headers: { authorization: `Bearer ${root}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(r.status, await r.clone().text()).toBeLessThan(300);
      return (await r.json()) as { id: string };
    };
    const tenant = await api('POST', '/v1/tenants', { name: 'dev-cli' });
    await api('PUT', `/v1/tenants/${tenant.id}/credentials/twilio`, {
      accountSid: account?.sid,
      authToken: account?.authToken,
    });

    const env = { TELVAULT_DATA_DIR: dir, TELVAULT_LOG_LEVEL: 'warn' };
    const setup = await runCliWithEnv(['trunk', 'setup', '--tenant', tenant.id], env);
    expect(setup.code, setup.all).toBe(0);
    const live = await runCliWithEnv(['trunk', 'status', '--tenant', tenant.id, '--live'], env);
    expect(live.code, live.all).toBe(0);
    expect(live.all).toMatch(/ready/);

    await dev.close();
    dev = undefined;
    expect(existsSync(join(dir, DEV_SANDBOX_RECORD_FILE))).toBe(false);
    const gone = await runCliWithEnv(['trunk', 'status', '--tenant', tenant.id, '--live'], env);
    expect(gone.code).toBe(1);
    expect(gone.err).toMatch(/no `telvault dev` is running on it/);
    expect(gone.err).toMatch(/TELVAULT_PROVIDERS=sandbox with TELVAULT_SANDBOX_URL/);
    expect(gone.err).not.toMatch(/no response/);
  });
});
