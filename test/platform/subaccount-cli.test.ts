// `telvault tenant subaccount --tenant T`: the same service as the route, against the database
// and the sandbox, creating once and then answering the stored sub-account.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openServices } from '../../src/app/open-services.js';
import { loadConfig } from '../../src/config.js';
import { PLATFORM_SPECS } from '../../src/services/credentials/platform-specs.js';
import { runCliWithEnv } from '../support/cli.js';
import { startTestSandbox, type TestSandbox } from '../support/sandbox.js';

describe('telvault tenant subaccount', () => {
  let sb: TestSandbox;
  let env: Record<string, string>;

  beforeAll(async () => {
    sb = await startTestSandbox();
    env = {
      TELVAULT_DATA_DIR: mkdtempSync(join(tmpdir(), 'tv-subaccount-cli-')),
      TELVAULT_MASTER_KEY: randomBytes(32).toString('base64'),
      TELVAULT_PROVIDERS: 'sandbox',
      TELVAULT_SANDBOX_URL: sb.url,
    };
  });
  afterAll(async () => {
    await sb?.close();
    rmSync(env['TELVAULT_DATA_DIR'] ?? '', { recursive: true, force: true });
  });

  it('refuses without platform credentials, then creates once and answers it again', async () => {
    const made = await runCliWithEnv(['tenant', 'create', 'cli-tenant'], env);
    expect(made.code, made.err).toBe(0);
    const tenantId = made.out.split('\t')[0] ?? '';

    const early = await runCliWithEnv(['tenant', 'subaccount', '--tenant', tenantId], env);
    expect(early.code).toBe(1);
    expect(early.err).toContain('PUT /v1/platform/credentials/twilio');

    const parent = (await sb.admin('POST', 'twilio/accounts', {})).body as {
      sid: string;
      authToken: string;
    };
    const opened = await openServices(loadConfig(env));
    try {
      const body = { accountSid: parent.sid, authToken: parent.authToken };
      await opened.services.platformCredentials.put(
        'twilio',
        PLATFORM_SPECS.twilio.body.parse(body),
        {
          kind: 'cli',
        },
      );
    } finally {
      await opened.close();
    }

    const first = await runCliWithEnv(['tenant', 'subaccount', '--tenant', tenantId], env);
    expect(first.code, first.err).toBe(0);
    expect(first.out).toMatch(new RegExp(`^AC[0-9a-f]{32}\\ttelvault ${tenantId}\\tcreated\\n$`));
    const again = await runCliWithEnv(['tenant', 'subaccount', '--tenant', tenantId], env);
    expect(again.code, again.err).toBe(0);
    expect(again.out).toBe(first.out.replace('created', 'existing'));
    expect(`${first.out}${again.out}${first.err}${again.err}`).not.toContain(parent.authToken);
  });
});
