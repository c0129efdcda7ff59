// Each example mapping on its sample input, through `telvault import`: every value lands and reads
// back through the API (and, for what no view returns, as the services open it), and a re-run
// imports nothing twice (every record unchanged, no row added or changed). SQLite and PostgreSQL.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImportReport } from '../../src/services/import/index.js';
import { DIALECTS, startTestServer, type TestServer } from '../support/server.js';
import { hex32 } from './legacy-samples.js';
import {
  example,
  phoneNumbers,
  readJson,
  recordsOf,
  rowCounts,
  runImport,
  tenantByExternal,
} from './support.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const CLI = { kind: 'cli' } as const;

describe.each(DIALECTS)('import examples (%s)', (dialect) => {
  let s: TestServer;
  let dir: string;

  beforeAll(async () => {
    s = await startTestServer(dialect);
    dir = mkdtempSync(join(tmpdir(), 'tv-import-'));
  });
  afterAll(async () => {
    await s?.close();
  });

  const reportOf = (name: string) => readJson(join(dir, name)) as ImportReport;

  /** Runs a mapping twice: the second run changes nothing. */
  async function importTwice(mapping: string, extra: string[] = []): Promise<ImportReport> {
    const first = await runImport(s, [
      '--mapping',
      example(mapping),
      '--report',
      join(dir, 'a.json'),
      ...extra,
    ]);
    expect(first.code, first.err).toBe(0);
    const report = reportOf('a.json');
    const before = await rowCounts(s);
    const again = await runImport(s, [
      '--mapping',
      example(mapping),
      '--report',
      join(dir, 'b.json'),
      ...extra,
    ]);
    expect(again.code, again.err).toBe(0);
    const second = reportOf('b.json');
    for (const [target, outcomes] of Object.entries(second.targets)) {
      const moved = Object.keys(outcomes).filter((o) => o !== 'unchanged' && o !== 'dropped');
      expect(moved, target).toEqual([]);
    }
    expect(second.tenants.created).toBe(0);
    expect(await rowCounts(s)).toEqual(before);
    return report;
  }

  it('exotel-phones: each phone with its number, tags and own Exotel key and token', async () => {
    const report = await importTwice('exotel-phones.json');
    expect(report.targets['phone']).toEqual({ created: 5 });
    expect(report.keys['exotel']).toEqual({ scheme: 'gcm-hex-pbkdf2', derived: 1 });
    const docs = JSON.parse(readFileSync(example('exotel-phones.sample.json'), 'utf8')) as {
      userId: { $oid: string };
      number: string;
      tags: string[];
      exotelData?: { sid: string };
    }[];
    const records = recordsOf(s);
    for (const user of new Set(docs.map((d) => d.userId.$oid))) {
      const tenantId = await tenantByExternal(s, user);
      const mine = docs.filter((d) => d.userId.$oid === user);
      expect(await phoneNumbers(s, tenantId)).toEqual(mine.map((d) => d.number).sort());
      const token = await s.mintToken(tenantId, ['phones:read']);
      const list = await s.request('GET', `/v1/tenants/${tenantId}/phones`, { token });
      const phones = (
        list.json as {
          phones: { id: string; number: string; tags: string[]; exotel: { sid: string } | null }[];
        }
      ).phones;
      for (const p of phones) {
        const i = docs.findIndex((d) => d.number === p.number && d.userId.$oid === user);
        const doc = docs[i];
        expect(p.tags).toEqual(doc?.tags);
        expect(p.exotel?.sid ?? null).toBe(doc?.exotelData?.sid ?? null);
        if (doc?.exotelData === undefined) continue;
        const r = await records.find('phones', tenantId, { id: p.id });
        if (r === undefined) throw new Error('phone row missing');
        expect((await records.open('phones', tenantId, r, 'exotel.apiKey'))?.reveal()).toBe(
          hex32(`exotel-key-${i}`),
        );
        expect((await records.open('phones', tenantId, r, 'exotel.apiToken'))?.reveal()).toBe(
          hex32(`exotel-token-${i}`),
        );
      }
    }
  });

  it('twilio-connector-subaccounts: each trunk imported with its credential; the shared password flagged rotate', async () => {
    const report = await importTwice('twilio-connector-subaccounts.json', ['--allow-plaintext']);
    expect(report.targets['trunk']).toEqual({ created: 3 });
    expect(report.rotate.map((r) => r.target)).toEqual(['trunk', 'trunk']);
    const docs = readFileSync(example('twilio-connector-subaccounts.sample.ndjson'), 'utf8')
      .trim()
      .split('\n')
      .map(
        (l) =>
          JSON.parse(l) as {
            subaccountId: string;
            name: string;
            metadata: { twilioIntegration: { trunkSid: string } };
          },
      );
    const passwords = ['44pass$$scalAI', '44pass$$scalAI', 'Tr0ub4dorAnd3Sip'];
    const records = recordsOf(s);
    for (const [i, d] of docs.entries()) {
      const tenantId = await tenantByExternal(s, d.subaccountId);
      expect((await s.server.services.tenants.get(tenantId)).name).toBe(d.name);
      const token = await s.mintToken(tenantId, ['trunks:manage']);
      const view = await s.request('GET', `/v1/tenants/${tenantId}/trunk`, { token });
      expect(view.status, view.text).toBe(200);
      const v = view.json as { state: string; trunkSid: string; notes: string[] };
      expect(v.state).toBe('imported');
      expect(v.trunkSid).toBe(d.metadata.twilioIntegration.trunkSid);
      expect(v.notes.join(' ')).toContain(`${d.name}_user`);
      const row = await records.find('sip_trunks', tenantId, {});
      if (row === undefined) throw new Error('trunk row missing');
      expect((await records.open('sip_trunks', tenantId, row, 'password'))?.reveal()).toBe(
        passwords[i],
      );
    }
  });

  it('crm-secrets: Twilio and SendGrid credentials from the blobs and, with the flag, from settings', async () => {
    const report = await importTwice('crm-secrets.json', ['--allow-plaintext']);
    expect(report.targets).toEqual({
      'credentials:twilio': { created: 3 },
      'credentials:sendgrid': { created: 2 },
    });
    const creds = s.server.services.credentials;
    const def = await tenantByExternal(s, 'default');
    const tw = await creds.use(def, 'twilio', 'import.test', CLI);
    expect(tw.public['accountSid']).toBe(`AC${hex32('crm-account-default')}`);
    expect(tw.public['apiKeySid']).toBe(`SK${hex32('crm-apikey-default')}`);
    expect(tw.secrets['authToken']?.reveal()).toBe(hex32('crm-token-default'));
    expect(tw.secrets['apiKeySecret']?.reveal()).toBe(hex32('crm-apisecret-default'));
    const sg = await creds.use(def, 'sendgrid', 'import.test', CLI);
    expect(sg.secrets['apiKey']?.reveal()).toBe(`SG.${hex32('sg-id')}.${hex32('sg-secret')}`);
    const acme = await tenantByExternal(s, 'acme');
    expect(
      (await creds.use(acme, 'twilio', 'import.test', CLI)).secrets['authToken']?.reveal(),
    ).toBe(hex32('crm-token-acme'));
    const legacy = await tenantByExternal(s, 'legacy-user-7');
    const token = await s.mintToken(legacy, ['credentials:read']);
    const view = await s.request('GET', `/v1/tenants/${legacy}/credentials/twilio`, { token });
    expect(view.json).toMatchObject({
      accountSid: `AC${hex32('settings-account-7')}`,
      authToken: { set: true, last4: hex32('settings-token-7').slice(-4) },
    });
    const mail = await s.request('GET', `/v1/tenants/${legacy}/credentials/sendgrid`, { token });
    expect(mail.json).toMatchObject({ fromEmail: 'ops@example.org', apiKey: { set: true } });
  });

  it('phone-numbers-cbc: the numbers under CBC into one tenant; rate-limit rows dropped and counted', async () => {
    const report = await importTwice('phone-numbers-cbc.json');
    expect(report.targets).toEqual({ phone: { created: 3 }, 'rate-limit': { dropped: 3 } });
    const tenantId = await tenantByExternal(s, 'outbound-dialer');
    expect(await phoneNumbers(s, tenantId)).toEqual([
      '+14155552671',
      '+447476942799',
      '+61401148075',
    ]);
  });
});
