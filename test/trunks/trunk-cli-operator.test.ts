// `telvault trunk …` as an operator meets it when something is off: a provider target `serve`
// would refuse, an unknown tenant, adopt flags without the trunk to adopt, a step failing at Twilio
// (the view printed with the step and the provider's code, then a re-run converging), a repair job
// that fails or a number it cannot fix, a rotation blocked by a number: each ends with exit code 1
// from runCli (bin/telvault.js sets process.exitCode from it). Progress goes to stderr, so --json
// output parses. No SIP password is printed (canaries). On a SQLite data directory and the sandbox.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openServices } from '../../src/app/open-services.js';
import { loadConfig } from '../../src/config.js';
import { asTenantId, Secret } from '../../src/crypto/index.js';
import { createRetellClient } from '../../src/providers/retell/index.js';
import { parseCredentialInput } from '../../src/services/credentials/providers.js';
import { runCliWithEnv } from '../support/cli.js';
import { startTestSandbox, type TestSandbox } from '../support/sandbox.js';
import {
  expectConverged,
  foreignTrunk,
  newTwilioAccount,
  numbersOnTrunk,
  STEP_WRITES,
  type TrunkViewJson,
} from './support.js';

const CLI = { kind: 'cli' } as const;

describe('telvault trunk, when something is off', () => {
  let sb: TestSandbox;
  let dir: string;
  let env: Record<string, string>;
  const printed: string[] = [];
  const passwords: string[] = [];

  beforeAll(async () => {
    sb = await startTestSandbox();
    dir = mkdtempSync(join(tmpdir(), 'tv-trunk-cli-op-'));
    env = {
      TELVAULT_DATA_DIR: dir,
      TELVAULT_MASTER_KEY: randomBytes(32).toString('base64'),
      TELVAULT_PROVIDERS: 'sandbox',
      TELVAULT_SANDBOX_URL: sb.url,
    };
  });
  afterAll(async () => {
    await sb?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const cli = async (...args: string[]) => {
    const before = process.exitCode;
    const r = await runCliWithEnv(args, env);
    // The exit code is runCli's answer alone; nothing is left on the process for bin to overwrite.
    expect(process.exitCode).toBe(before);
    printed.push(r.all);
    return r;
  };

  async function withServices<T>(
    fn: (o: Awaited<ReturnType<typeof openServices>>) => Promise<T>,
  ): Promise<T> {
    const opened = await openServices(loadConfig(env));
    try {
      return await fn(opened);
    } finally {
      await opened.close();
    }
  }

  /** A tenant (made with the CLI) with its own Twilio account, and Retell unless `retell: false`. */
  async function tenant(name: string, retell = true) {
    const made = await cli('tenant', 'create', name);
    expect(made.code, made.err).toBe(0);
    const tenantId = made.out.split('\t')[0] ?? '';
    const account = await newTwilioAccount(sb);
    const retellKey = retell
      ? ((await sb.admin('POST', 'retell/accounts', {})).body as { apiKey: string }).apiKey
      : '';
    await withServices(async ({ services }) => {
      const t = asTenantId(tenantId);
      const c = services.credentials;
      const twilio = { accountSid: account.sid, authToken: account.authToken };
      await c.put(t, 'twilio', parseCredentialInput('twilio', twilio), CLI);
      if (retell)
        await c.put(t, 'retell', parseCredentialInput('retell', { apiKey: retellKey }), CLI);
    });
    return { tenantId, account, retellKey };
  }

  async function heldPassword(tenantId: string): Promise<string> {
    return withServices(async ({ services, database }) => {
      const row = await database.db
        .selectFrom('sip_trunks')
        .select(['id', 'password_env'])
        .where('tenant_id', '=', tenantId)
        .executeTakeFirstOrThrow();
      if (row.password_env === null) throw new Error('no sealed password');
      const p = await services.keys.openField(
        asTenantId(tenantId),
        { entity: 'sip-trunk', field: 'password', recordId: row.id },
        row.password_env,
      );
      return p.reveal();
    });
  }

  it('refuses a sandbox URL with live providers, and an unknown tenant', async () => {
    const t = await tenant('op-target');
    const live = await runCliWithEnv(['trunk', 'setup', '--tenant', t.tenantId], {
      ...env,
      TELVAULT_PROVIDERS: undefined,
    });
    expect(live.code).toBe(1);
    expect(live.err).toContain('TELVAULT_SANDBOX_URL is set but TELVAULT_PROVIDERS is live');
    const nobody = await cli('trunk', 'status', '--tenant', 'no-such-tenant');
    expect(nobody.code).toBe(1);
    expect(nobody.err).toBe('telvault: tenant not found\n');
  });

  it('refuses adopt flags without --adopt-trunk (it would set up a trunk of its own)', async () => {
    const t = await tenant('op-lonely');
    const file = join(dir, 'lonely-password');
    const password = `Lonely${randomBytes(8).toString('hex')}X1`;
    passwords.push(password);
    writeFileSync(file, password);
    for (const flags of [
      ['--adopt-password-file', file],
      ['--adopt-credential', `CR${'0'.repeat(32)}`],
    ]) {
      const r = await cli('trunk', 'setup', '--tenant', t.tenantId, ...flags);
      expect(r.code).toBe(1);
      expect(r.err).toContain('only with --adopt-trunk');
    }
    const status = await cli('trunk', 'status', '--tenant', t.tenantId);
    expect(status.err).toContain('the tenant has no SIP trunk yet');
  });

  it('a failing step prints the trunk with the step and the provider code; a re-run converges', async () => {
    const t = await tenant('op-failed');
    sb.context.faults.add({ ...STEP_WRITES.credential, action: { kind: 'error', status: 503 } });
    const failed = await cli('trunk', 'setup', '--tenant', t.tenantId);
    expect(failed.code).toBe(1);
    expect(failed.out).toMatch(
      /^state +failed \(failed at credential: ERR_PROVIDER_UNAVAILABLE, provider code \d+\)$/m,
    );
    expect(failed.err).toMatch(/^telvault: twilio sip\.credentials\.create failed: HTTP 503/m);
    const again = await cli('trunk', 'setup', '--tenant', t.tenantId, '--json');
    expect(again.code, again.err).toBe(0);
    const password = await heldPassword(t.tenantId);
    passwords.push(password);
    await expectConverged(sb, t.account.sid, JSON.parse(again.out) as TrunkViewJson, password);
  });

  it('a repair job that fails, or a number it cannot fix, exits 1; progress stays on stderr', async () => {
    const none = await tenant('op-no-retell', false);
    expect((await cli('trunk', 'setup', '--tenant', none.tenantId)).code).toBe(0);
    const failed = await cli('trunk', 'repair', '--tenant', none.tenantId);
    expect(failed.code).toBe(1);
    expect(failed.out).toMatch(/failed: ERR_PROVIDER_NOT_CONFIGURED/);
    expect(failed.err).toContain('telvault: the repair job failed');

    const t = await tenant('op-repair');
    const setup = await cli('trunk', 'setup', '--tenant', t.tenantId, '--json');
    const v = JSON.parse(setup.out) as TrunkViewJson;
    passwords.push(await heldPassword(t.tenantId));
    const trunk = { trunkSid: v.trunkSid ?? '', domainName: v.domainName ?? '' };
    const numbers = await numbersOnTrunk(sb, t.account, t.retellKey, trunk, 3);
    // One number's update fails at Retell: the job ends, with that number failed.
    sb.context.faults.add({
      method: 'PATCH',
      path: `/update-phone-number/(%2B|\\+)${(numbers[1] ?? '').slice(1)}$`,
      action: { kind: 'error', status: 500 },
    });
    const r = await cli('trunk', 'repair', '--tenant', t.tenantId, '--json');
    expect(r.code).toBe(1);
    expect(r.err).toContain('repair: 3/3');
    expect(r.err).toContain('telvault: 1 number(s) could not be fixed');
    const job = JSON.parse(r.out) as { state: string; result: { fixed: number; failed: number } };
    expect(job.state).toBe('done');
    expect(job.result).toMatchObject({ fixed: 2, failed: 1 });
    const fine = await cli('trunk', 'repair', '--tenant', t.tenantId);
    expect(fine.code, fine.err).toBe(0);
  });

  it('a rotation blocked by a number Retell no longer shows exits 1', async () => {
    const t = await tenant('op-rotate');
    expect((await cli('trunk', 'setup', '--tenant', t.tenantId)).code).toBe(0);
    // Idempotency keys are hashed under the system key, which a serving node creates at start
    // (an operator command does not): as in a deployment, a server has run on this database.
    await withServices(({ services }) => services.keys.ensureSystemKey());
    const bought = await cli(
      'phones',
      'purchase',
      '--tenant',
      t.tenantId,
      '--idempotency-key',
      'op-rotate-1',
      '--area-code',
      '415',
    );
    expect(bought.code, bought.err).toBe(0);
    const number = (JSON.parse(bought.out) as { number: string }).number;
    const retell = createRetellClient(new Secret(t.retellKey), {
      mode: 'sandbox',
      sandboxUrl: sb.url,
    });
    expect(await retell.deleteNumber(number)).toBe(true);
    const r = await cli('trunk', 'rotate-password', '--tenant', t.tenantId);
    expect(r.code).toBe(1);
    expect(r.out).toContain('"state":"blocked"');
    expect(r.err).toContain('telvault: the rotation is blocked by the numbers above');
    passwords.push(await heldPassword(t.tenantId));
  });

  it('adopts with the password read from a file, and never prints a SIP password', async () => {
    const t = await tenant('op-adopt');
    const f = await foreignTrunk(sb, t.account, { origination: 'sip:sip.retellai.com' });
    const cred = f.credentials[0];
    if (cred === undefined) throw new Error('no credential');
    passwords.push(cred.password);
    const file = join(dir, 'adopt-password');
    writeFileSync(file, `${cred.password}\r\n`, { mode: 0o600 });
    const r = await cli(
      'trunk',
      'setup',
      '--tenant',
      t.tenantId,
      '--adopt-trunk',
      f.trunkSid,
      '--adopt-password-file',
      file,
    );
    expect(r.code, r.err).toBe(0);
    expect(await heldPassword(t.tenantId)).toBe(cred.password);

    // The search means something: every command's output is here, the passwords are real.
    expect(printed.length).toBeGreaterThanOrEqual(20);
    expect(passwords).toHaveLength(5);
    const all = printed.join('\n');
    for (const p of passwords) expect(all).not.toContain(p);
  });
});
