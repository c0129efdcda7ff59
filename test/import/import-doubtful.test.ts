// A wrong legacy key makes every value it should open doubtful (record id, field, rule), and none of
// those records is imported, for each scheme, CBC included: there a wrong key passes the padding
// check about once in 256 values, and a value that opens cleanly but is not a phone number is
// caught by the shape check. A dry run writes nothing. On SQLite and PostgreSQL.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImportReport } from '../../src/services/import/index.js';
import { DIALECTS, startTestServer, type TestServer } from '../support/server.js';
import { example, legacyEnv, readJson, rowCounts, runImport } from './support.js';

const WRONG = 'not-the-key-that-encrypted-these-values';

describe.each(DIALECTS)('import with a wrong key (%s)', (dialect) => {
  let s: TestServer;
  let dir: string;

  beforeAll(async () => {
    s = await startTestServer(dialect);
    dir = mkdtempSync(join(tmpdir(), 'tv-import-doubtful-'));
  });
  afterAll(async () => {
    await s?.close();
  });

  async function run(mapping: string, env: Record<string, string>, extra: string[] = []) {
    const report = join(dir, `${mapping}.${Object.keys(env).join('-')}.json`);
    const r = await runImport(
      s,
      [
        '--mapping',
        mapping.startsWith('/') ? mapping : example(mapping),
        '--report',
        report,
        ...extra,
      ],
      { ...legacyEnv(), ...env },
    );
    return { ...r, report: readJson(report) as ImportReport };
  }

  it('a dry run decodes and checks everything and writes nothing', async () => {
    const before = await rowCounts(s);
    const r = await run('exotel-phones.json', {}, ['--dry-run']);
    expect(r.code, r.err).toBe(0);
    expect(r.report.dryRun).toBe(true);
    expect(r.report.targets).toEqual({ phone: { 'would-create': 5 } });
    expect(r.report.tenants).toEqual({ created: 0, existing: 0, wouldCreate: 2 });
    expect(await rowCounts(s)).toEqual(before);
  });

  it('gcm-hex-pbkdf2: the phones with Exotel data are doubtful and not imported', async () => {
    const before = await rowCounts(s);
    const r = await run('exotel-phones.json', { JWT_SECRET: WRONG });
    expect(r.code).toBe(1);
    // Phone 3 has no Exotel data: it needs no key and is imported.
    expect(r.report.targets['phone']).toEqual({ doubtful: 4, created: 1 });
    const fields = new Set(r.report.doubtful.map((d) => `${d.field}: ${d.rule}`));
    expect([...fields].sort()).toEqual([
      'exotel.apiKey: must open with its key (wrong key or damaged value)',
      'exotel.apiToken: must open with its key (wrong key or damaged value)',
    ]);
    expect((await rowCounts(s))['phones']).toBe((before['phones'] ?? 0) + 1);
  });

  it('gcm-fields-scrypt: the encrypted SIP passwords are doubtful, the plain one imported', async () => {
    const r = await run('twilio-connector-subaccounts.json', { ENCRYPTION_KEY: WRONG }, [
      '--allow-plaintext',
    ]);
    expect(r.code).toBe(1);
    expect(r.report.targets['trunk']).toEqual({ doubtful: 2, created: 1 });
    expect(r.report.doubtful.every((d) => d.field === 'password')).toBe(true);
  });

  it('gcm-packed-b64: every blob is doubtful; the plaintext settings still import', async () => {
    const before = await rowCounts(s);
    const r = await run(
      'crm-secrets.json',
      { APP_ENCRYPTION_KEY: randomBytes(32).toString('base64') },
      ['--allow-plaintext'],
    );
    expect(r.code).toBe(1);
    expect(r.report.targets).toEqual({
      'credentials:twilio': { doubtful: 2, created: 1 },
      'credentials:sendgrid': { doubtful: 1, created: 1 },
    });
    expect(r.report.doubtful.map((d) => d.source)).toEqual(expect.arrayContaining(['secrets']));
    expect((await rowCounts(s))['credentials']).toBe((before['credentials'] ?? 0) + 2);
  });

  it('cbc-hex: a wrong key, a value that passes padding, one that opens cleanly but is no number', async () => {
    const key = createHash('sha256')
      .update(legacyEnv()['PHONE_ENCRYPTION_KEY'] ?? '')
      .digest();
    const cbc = (text: string) => {
      const iv = randomBytes(16);
      const c = createCipheriv('aes-256-cbc', key, iv);
      return `${iv.toString('hex')}:${Buffer.concat([c.update(text), c.final()]).toString('hex')}`;
    };
    // Random blocks until one passes the padding check under this key (about 1 in 256).
    let passesPadding = '';
    for (let i = 0; passesPadding === '' && i < 100_000; i++) {
      const iv = randomBytes(16);
      const ct = randomBytes(16);
      try {
        const d = createDecipheriv('aes-256-cbc', key, iv);
        Buffer.concat([d.update(ct), d.final()]);
        passesPadding = `${iv.toString('hex')}:${ct.toString('hex')}`;
      } catch {
        // bad padding: try again
      }
    }
    const csv = join(dir, 'cbc.csv');
    writeFileSync(
      csv,
      [
        'id,user_id,phone_encrypted,created_at',
        `1,u1,${passesPadding},2025-09-01T08:00:00Z`,
        `2,u2,${cbc('hello, operator')},2025-09-01T08:00:00Z`,
        `3,u3,${cbc('+61401148075')},2025-09-01T08:00:00Z`,
        '',
      ].join('\n'),
    );
    const before = await rowCounts(s);
    const r = await run('phone-numbers-cbc.json', {}, [
      '--input',
      `phone_entries=${csv}`,
      '--dry-run',
    ]);
    expect(r.code).toBe(1);
    expect(r.report.doubtful.map((d) => [d.record, d.field])).toEqual([
      ['1', 'number'],
      ['2', 'number'],
    ]);
    // It opened cleanly: only the shape of a phone number catches it.
    expect(r.report.doubtful[1]?.rule).toBe('region required for a national number');
    expect(await rowCounts(s)).toEqual(before);

    const wrong = await run('phone-numbers-cbc.json', { PHONE_ENCRYPTION_KEY: WRONG });
    expect(wrong.code).toBe(1);
    expect(wrong.report.targets).toEqual({ phone: { doubtful: 3 }, 'rate-limit': { dropped: 3 } });
    expect(await rowCounts(s)).toEqual(before);
  });
});
