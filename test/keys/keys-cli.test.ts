import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { openServices } from '../../src/app/open-services.js';
import { loadConfig } from '../../src/config.js';
import { asTenantId, parseMasterKey } from '../../src/crypto/index.js';
import { PROVIDER_SPECS } from '../../src/services/credentials/index.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { DIALECTS } from '../store/harness.js';

async function cli(args: string[]): Promise<{ code: number; out: string }> {
  const out: string[] = [];
  const code = await runCli(args, { write: (s) => out.push(s), writeError: (s) => out.push(s) });
  return { code, out: out.join('') };
}

describe.each(DIALECTS)('telvault keys on %s', (dialect) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tv-cli-'));
  let pg: TestDatabase | undefined;
  const first = randomBytes(32).toString('base64');
  const second = randomBytes(32).toString('base64');

  beforeAll(async () => {
    pg = dialect === 'postgres' ? await createTestDatabase('keys_cli') : undefined;
    process.env['TELVAULT_DATA_DIR'] = dataDir;
    if (pg !== undefined) process.env['TELVAULT_DATABASE_URL'] = pg.url;
    else delete process.env['TELVAULT_DATABASE_URL'];
    process.env['TELVAULT_MASTER_KEY'] = first;
    delete process.env['TELVAULT_MASTER_KEY_PREVIOUS'];
  });
  afterAll(async () => {
    await pg?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('shows status, rotates a tenant key and the master key', async () => {
    const created = await cli(['tenant', 'create', 'Acme']);
    expect(created.code).toBe(0);
    const tenantId = created.out.split('\t')[0] ?? '';

    const rotated = await cli(['keys', 'rotate-tenant', tenantId]);
    expect(rotated).toMatchObject({ code: 0 });
    expect(rotated.out).toContain(`data-key rotation of ${tenantId} to v2 done`);

    const reindexed = await cli(['keys', 'rotate-tenant', tenantId, '--index']);
    expect(reindexed.out).toContain(`blind-index key rotation of ${tenantId} to v2 done`);

    process.env['TELVAULT_MASTER_KEY'] = second;
    process.env['TELVAULT_MASTER_KEY_PREVIOUS'] = first;
    const master = await cli(['keys', 'rotate-master']);
    expect(master.code).toBe(0);
    expect(master.out).toContain('the previous one is no longer needed');
    delete process.env['TELVAULT_MASTER_KEY_PREVIOUS'];

    const status = await cli(['keys', 'status']);
    expect(status.code).toBe(0);
    const newId = parseMasterKey(second).id;
    expect(status.out).toContain(`master keys in use: ${newId}`);
    expect(status.out).toContain(`tenant ${tenantId} (Acme)`);
    expect(status.out).toMatch(/data v1 retired rows=0/);
    expect(status.out).toMatch(/data v2 primary rows=0/);
    expect(status.out).toMatch(/index v1 retired rows=0/);
    expect(status.out).toMatch(/index v2 primary rows=0/);
    const json = await cli(['keys', 'status', '--json']);
    const parsed = JSON.parse(json.out) as { tenants: Array<{ tenantId: string }> };
    expect(parsed.tenants.map((t) => t.tenantId)).toContain(tenantId);
    expect(json.out).not.toContain('tvk1.');
  });

  it('backfills the fingerprints of secrets stored without one, then finds none to add', async () => {
    const created = await cli(['tenant', 'create', 'Fingerprinted']);
    const tenantId = created.out.split('\t')[0] ?? '';
    const opened = await openServices(loadConfig(process.env));
    try {
      const body = PROVIDER_SPECS.sendgrid.body.parse({
        apiKey: `SG.${randomBytes(11).toString('hex')}.${randomBytes(21).toString('hex')}`,
        fromEmail: 'a@example.com',
      });
      await opened.services.credentials.put(asTenantId(tenantId), 'sendgrid', body, {
        kind: 'cli',
      });
      // As a secret stored before migration 011: no fingerprint.
      await opened.database.db.deleteFrom('secret_fingerprints').execute();
    } finally {
      await opened.close();
    }
    const first = await cli(['keys', 'backfill-fingerprints']);
    expect(first.code, first.out).toBe(0);
    expect(first.out).toMatch(/fingerprints: 1 added over \d+ rows/);
    const again = await cli(['keys', 'backfill-fingerprints']);
    expect(again.out).toMatch(/fingerprints: 0 added/);
  });

  it('rejects an unknown tenant', async () => {
    const r = await cli(['keys', 'rotate-tenant', 'no-such-tenant']);
    expect(r.code).toBe(1);
    expect(r.out).toContain('not found');
  });
});
