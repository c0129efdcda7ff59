// `telvault import` as an operator meets it: a mapping or input that cannot be used ends with exit
// code 2 and a message naming the path or line (nothing written); and a canary: no decoded value,
// no legacy secret, no phone number appears in stdout, stderr, the JSON report, the server's log
// or the audit log, across every example, a dry run, and a run with doubtful values.
import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { hex32 } from './legacy-samples.js';
import { example, legacyEnv, rowCounts, runImport } from './support.js';

describe('telvault import (sqlite)', () => {
  let s: TestServer;
  let dir: string;
  const printed: string[] = [];

  beforeAll(async () => {
    s = await startTestServer('sqlite');
    dir = mkdtempSync(join(tmpdir(), 'tv-import-cli-'));
  });
  afterAll(async () => {
    await s?.close();
  });

  async function cli(args: string[], env: Record<string, string | undefined> = legacyEnv()) {
    const r = await runImport(s, args, env);
    printed.push(r.out, r.err);
    return r;
  }

  function mapping(name: string, value: unknown): string {
    const file = join(dir, name);
    writeFileSync(file, typeof value === 'string' ? value : JSON.stringify(value));
    return file;
  }

  const exotel = () =>
    JSON.parse(readFileSync(example('exotel-phones.json'), 'utf8')) as {
      keys: Record<string, Record<string, unknown>>;
      sources: Record<string, unknown>[];
    };

  it('answers 2 with the path or line for a mapping or input it cannot use, and writes nothing', async () => {
    const before = await rowCounts(s);
    const cases: [string[], Record<string, string | undefined>, RegExp][] = [
      [
        ['--mapping', mapping('bad.json', '{\n  "version": 1,\n  oops\n}')],
        {},
        /bad\.json: not valid JSON \(line 3\)/,
      ],
      [
        [
          '--mapping',
          mapping('secret.json', {
            ...exotel(),
            keys: { exotel: { ...exotel().keys['exotel'], params: { secret: 'x' } } },
          }),
        ],
        {},
        /keys\.exotel\.params: must not hold the secret or key/,
      ],
      [
        [
          '--mapping',
          mapping('field.json', {
            ...exotel(),
            sources: [
              {
                ...exotel().sources[0],
                targets: [{ type: 'phone', fields: { numbr: { path: 'number' } } }],
              },
            ],
          }),
        ],
        {},
        /sources\.0\.targets\.0\.fields: phone takes only number, country/,
      ],
      [
        ['--mapping', example('exotel-phones.json')],
        { JWT_SECRET: undefined },
        /keys\.exotel: environment variable JWT_SECRET is not set/,
      ],
      [
        ['--mapping', example('crm-secrets.json')],
        {},
        /key plain is plaintext: run with --allow-plaintext/,
      ],
      [
        [
          '--mapping',
          example('exotel-phones.json'),
          '--input',
          mapping('in.json', '[{"_id": 1},\n{"_id": ]'),
        ],
        {},
        /in\.json: not valid Extended JSON \(line 2\)/,
      ],
      [
        [
          '--mapping',
          example('phone-numbers-cbc.json'),
          '--input',
          mapping('x.csv', 'id,phone\n1,"unclosed\n'),
        ],
        {},
        /--input: name the source \(SOURCE=FILE\)/,
      ],
    ];
    for (const [args, env, message] of cases) {
      const r = await cli(args, { ...legacyEnv(), ...env });
      expect(r.code, r.err).toBe(2);
      expect(r.err).toMatch(message);
    }
    expect(await rowCounts(s)).toEqual(before);
  });

  it('never shows a value: every example, a dry run, doubtful values (canary)', async () => {
    const key = createHash('sha256')
      .update(legacyEnv()['PHONE_ENCRYPTION_KEY'] ?? '')
      .digest();
    const iv = randomBytes(16);
    const c = createCipheriv('aes-256-cbc', key, iv);
    const canary = `CANARY-tv-${randomBytes(4).toString('hex')}`;
    const csv = join(dir, 'canary.csv');
    writeFileSync(
      csv,
      `id,user_id,phone_encrypted,created_at\n1,u1,${iv.toString('hex')}:${Buffer.concat([c.update(canary), c.final()]).toString('hex')},x\n`,
    );
    const reports: string[] = [];
    const runs: [string, string[]][] = [
      ['exotel-phones.json', ['--dry-run']],
      ['exotel-phones.json', []],
      ['twilio-connector-subaccounts.json', ['--allow-plaintext']],
      ['crm-secrets.json', ['--allow-plaintext']],
      ['phone-numbers-cbc.json', []],
      ['phone-numbers-cbc.json', ['--input', `phone_entries=${csv}`]],
      ['exotel-phones.json', []],
    ];
    for (const [i, [m, extra]] of runs.entries()) {
      const report = join(dir, `canary-${i}.json`);
      const r = await cli(['--mapping', example(m), '--report', report, ...extra]);
      expect(r.code, r.err).toBe(extra.includes('--input') ? 1 : 0);
      reports.push(readFileSync(report, 'utf8'));
    }
    const audit = JSON.stringify(
      await s.server.database.db.selectFrom('audit_events').selectAll().execute(),
    );
    const values = [
      canary,
      ...Object.values(legacyEnv()),
      '44pass$$scalAI',
      'Tr0ub4dorAnd3Sip',
      ...[0, 1, 2, 4].flatMap((i) => [hex32(`exotel-key-${i}`), hex32(`exotel-token-${i}`)]),
      ...['default', 'acme'].map((t) => hex32(`crm-token-${t}`)),
      hex32('crm-apisecret-default'),
      hex32('sg-secret'),
      hex32('settings-token-7'),
      hex32('settings-sg-7b'),
      ...[
        '+919876543210',
        '+61401148075',
        '+447476942799',
        '+14155552671',
        '+919812345678',
      ].flatMap((n) => [n, n.slice(1)]),
    ];
    const haystacks = {
      output: printed.join('\n'),
      reports: reports.join('\n'),
      log: s.logLines.join('\n'),
      audit,
    };
    for (const [where, text] of Object.entries(haystacks)) {
      expect(text.length, where).toBeGreaterThan(0);
      for (const v of values) expect(text.includes(v), `${where} holds a value`).toBe(false);
    }
    // The canary run did report its doubtful record, by id, field and rule.
    expect(reports.at(-2)).toContain('"field": "number"');
  });

  it('deleting a tenant deletes its import records: a later import makes it afresh', async () => {
    expect((await cli(['--mapping', example('phone-numbers-cbc.json')])).code).toBe(0);
    const t = await s.server.services.tenants.findByExternalId('outbound-dialer');
    if (t === undefined) throw new Error('no tenant');
    const db = s.server.database.db;
    const mine = () =>
      db.selectFrom('import_records').select('record_key').where('tenant_id', '=', t.id).execute();
    expect(await mine()).toHaveLength(3);
    const del = await s.request('DELETE', `/v1/tenants/${t.id}`, { token: s.rootToken });
    expect(del.status, del.text).toBe(204);
    expect(await mine()).toHaveLength(0);
    const report = join(dir, 'after-delete.json');
    const again = await cli(['--mapping', example('phone-numbers-cbc.json'), '--report', report]);
    expect(again.code, again.err).toBe(0);
    expect(JSON.parse(readFileSync(report, 'utf8'))).toMatchObject({
      tenants: { created: 1 },
      targets: { phone: { created: 3 } },
    });
  });
});
