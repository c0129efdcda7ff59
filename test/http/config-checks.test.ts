// Configurations that cannot mean what they say are refused at start, through the real CLI, with a
// message naming the variables (and never their values): a sandbox URL the provider mode ignores,
// a sandbox mode with nowhere to send (serve), and an emergency override that could never be used
// (no tenant, a tenant that does not exist, no provider variables, a misspelt or invalid variable).
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { startServe } from '../../src/cli/serve-command.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { DIALECTS } from '../support/server.js';
import { captureIo, stubTelvaultEnv } from '../support/cli.js';

/** Exactly `vars` of the TELVAULT_ variables (what an earlier setEnv set is gone too). */
function setEnv(vars: Record<string, string | undefined>): void {
  vi.unstubAllEnvs();
  stubTelvaultEnv(vars);
}

const cleanup: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  vi.unstubAllEnvs();
  while (cleanup.length > 0) await cleanup.pop()?.();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tv-config-'));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** What serve needs besides the variables under test. */
function serveBase(dir = tempDir()): Record<string, string> {
  return {
    TELVAULT_DATA_DIR: dir,
    TELVAULT_MASTER_KEY: randomBytes(32).toString('base64'),
    TELVAULT_ROOT_TOKEN: `tvr_${randomBytes(32).toString('base64url')}`,
    TELVAULT_LOG_LEVEL: 'silent',
  };
}

async function run(...argv: string[]) {
  const c = captureIo();
  const code = await runCli(argv, c.io);
  return { code, out: c.out(), err: c.err() };
}

const RETELL_KEY = 'key_override_config_test_0001';

describe('provider target checks at start', () => {
  it('serve refuses TELVAULT_SANDBOX_URL without TELVAULT_PROVIDERS=sandbox, naming both', async () => {
    for (const providers of [undefined, 'live']) {
      setEnv({
        ...serveBase(),
        TELVAULT_SANDBOX_URL: 'http://127.0.0.1:4010',
        TELVAULT_PROVIDERS: providers,
      });
      const r = await run('serve', '--port', '0');
      expect(r.code, r.err).toBe(1);
      expect(r.err).toContain('refusing to start');
      expect(r.err).toContain(
        'TELVAULT_SANDBOX_URL is set but TELVAULT_PROVIDERS is live (the default for serve): ' +
          'set TELVAULT_PROVIDERS=sandbox to use that sandbox, or unset TELVAULT_SANDBOX_URL',
      );
    }
  });

  it('serve refuses TELVAULT_PROVIDERS=sandbox without TELVAULT_SANDBOX_URL', async () => {
    setEnv({ ...serveBase(), TELVAULT_PROVIDERS: 'sandbox' });
    const r = await run('serve', '--port', '0');
    expect(r.code).toBe(1);
    expect(r.err).toContain(
      'TELVAULT_PROVIDERS=sandbox needs TELVAULT_SANDBOX_URL (the URL of a running `telvault sandbox`)',
    );
  });

  it('dev refuses TELVAULT_PROVIDERS=live with TELVAULT_SANDBOX_URL, before creating anything', async () => {
    const dir = join(tempDir(), 'data');
    setEnv({
      TELVAULT_DATA_DIR: dir,
      TELVAULT_PROVIDERS: 'live',
      TELVAULT_SANDBOX_URL: 'http://127.0.0.1:4010',
      TELVAULT_LOG_LEVEL: 'silent',
    });
    const r = await run('dev', '--port', '0');
    expect(r.code).toBe(1);
    expect(r.err).toContain(
      'telvault: TELVAULT_SANDBOX_URL is set but TELVAULT_PROVIDERS is live: set TELVAULT_PROVIDERS=sandbox',
    );
    expect(existsSync(dir)).toBe(false);
  });
});

describe('emergency override checks at start', () => {
  it('refuses TELVAULT_ALLOW_ENV_OVERRIDE=1 without TELVAULT_OVERRIDE_TENANT, in serve and dev', async () => {
    const message =
      'emergency override: TELVAULT_ALLOW_ENV_OVERRIDE=1 needs TELVAULT_OVERRIDE_TENANT, the id of the tenant it serves';
    setEnv({
      ...serveBase(),
      TELVAULT_ALLOW_ENV_OVERRIDE: '1',
      TELVAULT_OVERRIDE_RETELL_API_KEY: RETELL_KEY,
    });
    const serve = await run('serve', '--port', '0');
    expect(serve.code).toBe(1);
    expect(serve.err).toContain(message);
    setEnv({
      TELVAULT_DATA_DIR: tempDir(),
      TELVAULT_ALLOW_ENV_OVERRIDE: '1',
      TELVAULT_LOG_LEVEL: 'silent',
    });
    const dev = await run('dev', '--port', '0');
    expect(dev.code).toBe(1);
    expect(dev.err).toContain(message);
  });

  it('refuses a tenant that is not an id, without echoing it', async () => {
    setEnv({
      ...serveBase(),
      TELVAULT_ALLOW_ENV_OVERRIDE: '1',
      TELVAULT_OVERRIDE_TENANT: 'acme-typo-secretish',
      TELVAULT_OVERRIDE_RETELL_API_KEY: RETELL_KEY,
    });
    const r = await run('serve', '--port', '0');
    expect(r.code).toBe(1);
    expect(r.err).toContain('emergency override: TELVAULT_OVERRIDE_TENANT is not a tenant id');
    expect(r.err).not.toContain('acme-typo-secretish');
  });

  it('refuses an override without any provider variable', async () => {
    setEnv({
      ...serveBase(),
      TELVAULT_ALLOW_ENV_OVERRIDE: '1',
      TELVAULT_OVERRIDE_TENANT: randomUUID(),
    });
    const r = await run('serve', '--port', '0');
    expect(r.code).toBe(1);
    expect(r.err).toContain(
      'emergency override: TELVAULT_ALLOW_ENV_OVERRIDE=1 and TELVAULT_OVERRIDE_TENANT are set, ' +
        'but no TELVAULT_OVERRIDE_<PROVIDER>_<FIELD> variable: it would serve nothing',
    );
  });

  it('refuses a misspelt variable and an invalid or incomplete provider, naming the variable only', async () => {
    const cases: { vars: Record<string, string>; message: string; secret?: string }[] = [
      {
        vars: { TELVAULT_OVERRIDE_RETELL_APIKEY: RETELL_KEY },
        message:
          'TELVAULT_OVERRIDE_RETELL_APIKEY: not an override variable (TELVAULT_OVERRIDE_<PROVIDER>_<FIELD>)',
        secret: RETELL_KEY,
      },
      {
        vars: {
          TELVAULT_OVERRIDE_SENDGRID_API_KEY: 'XX.not-a-sendgrid-key-1234',
          TELVAULT_OVERRIDE_SENDGRID_FROM_EMAIL: 'noreply@example.com',
        },
        message: 'TELVAULT_OVERRIDE_SENDGRID_API_KEY: must start with "SG."',
        secret: 'XX.not-a-sendgrid-key-1234',
      },
      {
        vars: { TELVAULT_OVERRIDE_SENDGRID_API_KEY: 'SG.override.config_test_key_99' },
        message: 'TELVAULT_OVERRIDE_SENDGRID_FROM_EMAIL: is required',
        secret: 'SG.override.config_test_key_99',
      },
    ];
    for (const c of cases) {
      setEnv({
        ...serveBase(),
        TELVAULT_ALLOW_ENV_OVERRIDE: '1',
        TELVAULT_OVERRIDE_TENANT: randomUUID(),
        ...c.vars,
      });
      const r = await run('serve', '--port', '0');
      expect(r.code, c.message).toBe(1);
      expect(r.err).toContain(`emergency override: ${c.message}`);
      if (c.secret !== undefined) expect(r.err).not.toContain(c.secret);
    }
  });
});

describe.each(DIALECTS)('the override tenant on %s', (dialect) => {
  it('is refused when it does not exist, and serves when it does', async () => {
    const dir = tempDir();
    let pg: TestDatabase | undefined;
    if (dialect === 'postgres') {
      const db = await createTestDatabase('cfgcheck');
      pg = db;
      cleanup.push(() => db.drop());
    }
    const base = {
      ...serveBase(dir),
      ...(pg === undefined ? {} : { TELVAULT_DATABASE_URL: pg.url }),
    };
    setEnv(base);
    const created = await run('tenant', 'create', 'Rescued');
    expect(created.code, created.err).toBe(0);
    const tenantId = created.out.split('\t')[0] ?? '';
    expect(tenantId).toMatch(/^[0-9a-f-]{36}$/);

    const override = {
      TELVAULT_ALLOW_ENV_OVERRIDE: '1',
      TELVAULT_OVERRIDE_RETELL_API_KEY: RETELL_KEY,
    };
    const missing = randomUUID();
    setEnv({ ...base, ...override, TELVAULT_OVERRIDE_TENANT: missing });
    const refused = await run('serve', '--port', '0');
    expect(refused.code).toBe(1);
    expect(refused.err).toContain(
      `emergency override: TELVAULT_OVERRIDE_TENANT names tenant ${missing}, which does not exist`,
    );

    const c = captureIo();
    const server = await startServe(
      { ...base, ...override, TELVAULT_OVERRIDE_TENANT: tenantId },
      c.io,
      0,
    );
    try {
      expect(c.out()).toMatch(/listening on http:\/\/127\.0\.0\.1:\d+/);
      expect(server.services.providers.target.mode).toBe('live');
    } finally {
      await server.close();
    }
  });
});
