// The trunk CLI over the same services as the API, against a SQLite data directory and the
// sandbox: setup then status, an adopted password read from a file (never the command line),
// repair's dry run and real run, rotation, offboarding; no SIP password in any output.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openServices } from '../../src/app/open-services.js';
import { loadConfig } from '../../src/config.js';
import { asTenantId } from '../../src/crypto/index.js';
import { parseCredentialInput } from '../../src/services/credentials/providers.js';
import { runCliWithEnv } from '../support/cli.js';
import { startTestSandbox, type TestSandbox } from '../support/sandbox.js';
import {
  foreignTrunk,
  newTwilioAccount,
  numbersOnTrunk,
  outboundCheck,
  twilioOf,
} from './support.js';

const CLI = { kind: 'cli' } as const;

describe('telvault trunk …', () => {
  let sb: TestSandbox;
  let env: Record<string, string>;

  beforeAll(async () => {
    sb = await startTestSandbox();
    env = {
      TELVAULT_DATA_DIR: mkdtempSync(join(tmpdir(), 'tv-trunk-cli-')),
      TELVAULT_MASTER_KEY: randomBytes(32).toString('base64'),
      TELVAULT_PROVIDERS: 'sandbox',
      TELVAULT_SANDBOX_URL: sb.url,
    };
  });
  afterAll(async () => {
    await sb?.close();
  });

  /** A tenant with its own Twilio account and Retell workspace stored as its credentials. */
  async function tenant() {
    const made = await runCliWithEnv(['tenant', 'create', 'cli'], env);
    expect(made.code, made.all).toBe(0);
    const tenantId = made.out.split('\t')[0] ?? '';
    const account = await newTwilioAccount(sb);
    const ws = await sb.admin('POST', 'retell/accounts', {});
    const retellKey = (ws.body as { apiKey: string }).apiKey;
    const opened = await openServices(loadConfig(env));
    try {
      const t = asTenantId(tenantId);
      const c = opened.services.credentials;
      await c.put(
        t,
        'twilio',
        parseCredentialInput('twilio', { accountSid: account.sid, authToken: account.authToken }),
        CLI,
      );
      await c.put(t, 'retell', parseCredentialInput('retell', { apiKey: retellKey }), CLI);
    } finally {
      await opened.close();
    }
    return { tenantId, account, retellKey };
  }

  it('setup, status, repair (dry run, then real), rotation and delete', async () => {
    const t = await tenant();
    const setup = await runCliWithEnv(['trunk', 'setup', '--tenant', t.tenantId, '--json'], env);
    expect(setup.code, setup.all).toBe(0);
    const v = JSON.parse(setup.out) as { state: string; trunkSid: string; domainName: string };
    expect(v.state).toBe('ready');
    const status = await runCliWithEnv(['trunk', 'status', '--tenant', t.tenantId, '--live'], env);
    expect(status.code, status.all).toBe(0);
    expect(status.out).toMatch(/^state +ready/m);
    expect(status.out).not.toMatch(/drift:/);

    const numbers = await numbersOnTrunk(sb, t.account, t.retellKey, v, 2);
    const dry = await runCliWithEnv(['trunk', 'repair', '--tenant', t.tenantId, '--dry-run'], env);
    expect(dry.code, dry.all).toBe(0);
    for (const n of numbers) expect(dry.out).toContain(`${n}\twould-fix`);
    const fix = await runCliWithEnv(['trunk', 'repair', '--tenant', t.tenantId], env);
    expect(fix.code, fix.all).toBe(0);
    expect(fix.err).toContain('2/2');
    for (const n of numbers) expect(await outboundCheck(sb, n)).toEqual({ ok: true });

    const rotate = await runCliWithEnv(['trunk', 'rotate-password', '--tenant', t.tenantId], env);
    expect(rotate.code, rotate.all).toBe(0);
    expect(rotate.out).toContain('"state":"done"');
    for (const n of numbers) expect(await outboundCheck(sb, n)).toEqual({ ok: true });

    const del = await runCliWithEnv(['trunk', 'delete', '--tenant', t.tenantId], env);
    expect(del.code, del.all).toBe(0);
    expect(del.out).toContain(`removed\ttrunk\t${v.trunkSid}`);
    expect((await twilioOf(sb, t.account.sid)).trunks).toEqual([]);
  });

  it('adopts with the password from a file; it never appears in any output', async () => {
    const t = await tenant();
    const f = await foreignTrunk(sb, t.account);
    const password = f.credentials[0]?.password ?? '';
    const file = join(env['TELVAULT_DATA_DIR'] ?? '', 'adopt-password');
    writeFileSync(file, `${password}\n`);
    const r = await runCliWithEnv(
      [
        'trunk',
        'setup',
        '--tenant',
        t.tenantId,
        '--adopt-trunk',
        f.trunkSid,
        '--adopt-password-file',
        file,
      ],
      env,
    );
    expect(r.code, r.all).toBe(0);
    expect(r.out).toMatch(/credential +CR[0-9a-f]{32} platform-user-0 \(adopted/);
    expect(r.all).not.toContain(password);
    const bad = await runCliWithEnv(
      ['trunk', 'setup', '--tenant', t.tenantId, '--adopt-trunk', 'TK1'],
      env,
    );
    expect(bad.code).not.toBe(0);
    expect(bad.all).toMatch(/adopt\.trunkSid: must be TK/);
  });
});
