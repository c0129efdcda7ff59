// The redacting logger, and the emergency environment override (used only when the database cannot
// be read; every use logged as a warning and audited once the database answers).
import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { Secret } from '../../src/crypto/secret.js';
import {
  overrideVariable,
  overrideVariables,
} from '../../src/services/credentials/env-override.js';
import { createLogger, maskPhones } from '../../src/services/common/logger.js';
import { DIALECTS, startTestServer } from '../support/server.js';

describe('redacting logger', () => {
  it('redacts by field name at any depth, Secret instances anywhere, and masks phone numbers', () => {
    const lines: string[] = [];
    const log = createLogger({
      level: 'info',
      destination: { write: (l: string) => void lines.push(l) },
    });
    log.info(
      {
        authToken: 'tok-1',
        nested: {
          apiKeySecret: 'sec-2',
          list: [{ password: 'pw-3' }],
          Authorization: 'Bearer x-4',
        },
        wrapped: new Secret('wrapped-5'),
        to: '+14155554567',
        err: new Error('failed calling +442071838750'),
      },
      'calling +919876543210 now',
    );
    const out = lines.join('');
    for (const v of ['tok-1', 'sec-2', 'pw-3', 'x-4', 'wrapped-5', '4155554', '2071838', '9876543'])
      expect(out).not.toContain(v);
    expect(out).toContain('+1******4567');
    expect(out).toContain('+4*******8750');
    expect(out).toContain('calling +9*******3210 now');
    expect(maskPhones('no number here 12345')).toBe('no number here 12345');
  });

  it('names override variables after provider and field', () => {
    expect(overrideVariable('twilio', 'accountSid')).toBe('TELVAULT_OVERRIDE_TWILIO_ACCOUNT_SID');
    expect(overrideVariable('exotel', 'apiToken')).toBe('TELVAULT_OVERRIDE_EXOTEL_API_TOKEN');
  });

  it('documents every override variable in the README', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const variables = ['TELVAULT_ALLOW_ENV_OVERRIDE', ...overrideVariables()];
    // 15, and the Retell webhook key (issue 11).
    expect(variables.length).toBe(16);
    for (const v of variables) expect(readme, v).toContain(`\`${v}\``);
  });
});

describe.each(DIALECTS)('emergency env override on %s', (dialect) => {
  it('names override variables set while the override is off in a warning, never their values', async () => {
    const s = await startTestServer(dialect, {
      logLevel: 'warn',
      env: {
        TELVAULT_OVERRIDE_TENANT: '0190a000-0000-7000-8000-000000000001',
        TELVAULT_OVERRIDE_RETELL_API_KEY: 'key_override_while_off_123456',
      },
    });
    try {
      const warning = s.logLines.find((l) => l.includes('TELVAULT_ALLOW_ENV_OVERRIDE is not 1'));
      expect(warning).toContain('"level":40');
      expect(warning).toContain('"TELVAULT_OVERRIDE_RETELL_API_KEY"');
      expect(warning).toContain('"TELVAULT_OVERRIDE_TENANT"');
      expect(warning).not.toContain('key_override_while_off');
      expect(s.logLines.join('\n')).not.toContain('override is ENABLED');
    } finally {
      await s.close();
    }
  });

  it('serves the named tenant from the environment while the database fails, then audits the use', async () => {
    const env = {
      TELVAULT_OVERRIDE_TENANT: '',
      TELVAULT_OVERRIDE_RETELL_API_KEY: 'key_override_retell_1234567890',
    };
    // The tenant id is known only after it exists: start, create, restart with the override.
    const first = await startTestServer(dialect, { logLevel: 'warn' });
    const t = await first.createTenant('rescued');
    const other = await first.createTenant('not-rescued');
    await first.server.close();
    const s = await startTestServer(dialect, {
      logLevel: 'warn',
      env: { ...env, TELVAULT_OVERRIDE_TENANT: t },
      config: {
        allowEnvOverride: true,
        dataDir: first.dataDir,
        databaseUrl: first.databaseUrl,
      },
      reuse: first,
    });
    try {
      const db = s.server.database.db;
      const actor = { kind: 'system', name: 'calls' } as const;
      // Database fine: the override is not used (no stored credentials → not configured).
      await expect(
        s.server.services.credentials.use(t, 'retell', 'calls.create', actor),
      ).rejects.toMatchObject({ code: 'ERR_PROVIDER_NOT_CONFIGURED' });
      await sql`alter table credentials rename to credentials_away`.execute(db);
      const used = await s.server.services.credentials.use(t, 'retell', 'calls.create', actor);
      expect(used.fromOverride).toBe(true);
      expect(used.secrets['apiKey']?.reveal()).toBe('key_override_retell_1234567890');
      // Other providers and tenants are not covered: the database's own error comes through.
      const missingTable = { code: dialect === 'sqlite' ? 'SQLITE_ERROR' : '42P01' };
      await expect(
        s.server.services.credentials.use(t, 'twilio', 'calls.create', actor),
      ).rejects.toMatchObject(missingTable);
      await expect(
        s.server.services.credentials.use(other, 'retell', 'calls.create', actor),
      ).rejects.toMatchObject(missingTable);
      const warning = s.logLines.find((l) => l.includes('taken from the environment'));
      expect(warning).toContain('"level":40');
      expect(warning).toContain('"action":"credential.use"');
      expect(warning).not.toContain('key_override_retell');
      await sql`alter table credentials_away rename to credentials`.execute(db);
      const overrideEvents = async () =>
        (
          await db.selectFrom('audit_events').selectAll().where('tenant_id', '=', t).execute()
        ).filter((e) => e.detail_json?.includes('env-override'));
      // The readiness probe only reads; the pending events are written by the flush (a timer).
      expect((await s.request('GET', '/readyz')).status).toBe(200);
      expect(await overrideEvents()).toHaveLength(0);
      await s.server.flushPending();
      expect(await overrideEvents()).toHaveLength(1);
    } finally {
      await s.close();
    }
  });
});
