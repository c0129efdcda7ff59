// Issue 21, item 1, as reported: a tenant made through the API (external id `default`, Twilio and
// SendGrid credentials of its own), then `telvault import` of the CRM example with a record for
// that tenant. The record's targets hold other values the import never wrote: conflicts, exit
// code 1, listed by field name (also by --dry-run), the tenant's credentials as they were; with
// --replace-existing they are written and reported as replaced. No value in stdout, stderr or the
// JSON report. SQLite and PostgreSQL.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TenantId } from '../../src/crypto/index.js';
import type { ImportReport } from '../../src/services/import/index.js';
import { DIALECTS, startTestServer, type TestServer } from '../support/server.js';
import { hex32 } from './legacy-samples.js';
import { example, readJson, rowCounts, runImport, tenantByExternal } from './support.js';

const CLI = { kind: 'cli' } as const;

/** The tenant's own credentials, set through the API. */
const OWN = {
  twilio: {
    accountSid: `AC${hex32('own-account')}`,
    authToken: hex32('own-token'),
    apiKeySid: `SK${hex32('own-apikey')}`,
    apiKeySecret: hex32('own-apisecret'),
    twimlAppSid: `AP${hex32('own-app')}`,
    defaultFrom: '+61401148075',
  },
  sendgrid: {
    apiKey: `SG.${hex32('own-sg-id')}.${hex32('own-sg-secret')}`,
    fromEmail: 'own@example.net',
  },
};
/** What the example's records for `default` hold. */
const SOURCE = {
  accountSid: `AC${hex32('crm-account-default')}`,
  authToken: hex32('crm-token-default'),
  apiKeySid: `SK${hex32('crm-apikey-default')}`,
  apiKeySecret: hex32('crm-apisecret-default'),
  sendgrid: `SG.${hex32('sg-id')}.${hex32('sg-secret')}`,
};

describe.each(DIALECTS)('an import over a live tenant (%s)', (dialect) => {
  let s: TestServer;
  let dir: string;
  let tenantId: TenantId;
  const printed: string[] = [];

  beforeAll(async () => {
    s = await startTestServer(dialect);
    dir = mkdtempSync(join(tmpdir(), 'tv-import-conflicts-'));
    const made = await s.request('POST', '/v1/tenants', {
      token: s.rootToken,
      body: { name: 'Default', externalId: 'default' },
    });
    expect(made.status, made.text).toBe(201);
    tenantId = (made.json as { id: TenantId }).id;
    for (const [provider, body] of Object.entries(OWN)) {
      const r = await s.request('PUT', `/v1/tenants/${tenantId}/credentials/${provider}`, {
        token: s.rootToken,
        body,
      });
      expect(r.status, r.text).toBe(200);
    }
  });
  afterAll(async () => {
    await s?.close();
  });

  async function cli(args: string[], report: string) {
    const file = join(dir, report);
    const r = await runImport(s, [
      '--mapping',
      example('crm-secrets.json'),
      '--allow-plaintext',
      '--report',
      file,
      ...args,
    ]);
    printed.push(r.out, r.err, JSON.stringify(readJson(file)));
    return { ...r, report: readJson(file) as ImportReport };
  }

  async function held() {
    const creds = s.server.services.credentials;
    const tw = await creds.use(tenantId, 'twilio', 'import.test', CLI);
    const sg = await creds.use(tenantId, 'sendgrid', 'import.test', CLI);
    return {
      accountSid: tw.public['accountSid'],
      apiKeySid: tw.public['apiKeySid'],
      twimlAppSid: tw.public['twimlAppSid'],
      authToken: tw.secrets['authToken']?.reveal(),
      apiKeySecret: tw.secrets['apiKeySecret']?.reveal(),
      defaultFrom: tw.secrets['defaultFrom']?.reveal(),
      sendgrid: sg.secrets['apiKey']?.reveal(),
      fromEmail: sg.public['fromEmail'],
    };
  }
  const own = {
    ...OWN.twilio,
    sendgrid: OWN.sendgrid.apiKey,
    fromEmail: OWN.sendgrid.fromEmail,
  };

  it('a dry run lists the conflicts (field names, no value), exit code 1, nothing written', async () => {
    const before = await rowCounts(s);
    const r = await cli(['--dry-run'], 'dry.json');
    expect(r.code).toBe(1);
    expect(r.report.targets).toEqual({
      'credentials:twilio': { conflict: 1, 'would-create': 2 },
      'credentials:sendgrid': { conflict: 1, 'would-create': 1 },
    });
    expect(r.out).toMatch(
      /^conflict: secrets \S+ credentials:twilio accountSid, apiKeySecret, apiKeySid, authToken: the target holds other values, not written by this import$/m,
    );
    expect(r.out).toMatch(/^conflict: secrets \S+ credentials:sendgrid apiKey, fromEmail: /m);
    expect(await rowCounts(s)).toEqual(before);
  });

  it('writes nothing over them: conflicts, exit code 1, the credentials as they were', async () => {
    const r = await cli([], 'conflict.json');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/1 conflict|2 conflict/);
    expect(r.report.targets).toEqual({
      'credentials:twilio': { conflict: 1, created: 2 },
      'credentials:sendgrid': { conflict: 1, created: 1 },
    });
    expect(r.report.conflicts).toEqual([
      {
        source: 'secrets',
        record: expect.any(String) as unknown,
        target: 'credentials:twilio',
        fields: ['accountSid', 'apiKeySecret', 'apiKeySid', 'authToken'],
        reason: 'the target holds other values, not written by this import',
      },
      {
        source: 'secrets',
        record: expect.any(String) as unknown,
        target: 'credentials:sendgrid',
        fields: ['apiKey', 'fromEmail'],
        reason: 'the target holds other values, not written by this import',
      },
    ]);
    expect(await held()).toEqual(own);
    // The other tenants were imported.
    const acme = await tenantByExternal(s, 'acme');
    const tw = await s.server.services.credentials.use(acme, 'twilio', 'import.test', CLI);
    expect(tw.secrets['authToken']?.reveal()).toBe(hex32('crm-token-acme'));
    // Run again: still the same conflicts, the rest unchanged.
    const again = await cli([], 'again.json');
    expect(again.code).toBe(1);
    expect(again.report.targets).toEqual({
      'credentials:twilio': { conflict: 1, unchanged: 2 },
      'credentials:sendgrid': { conflict: 1, unchanged: 1 },
    });
    expect(await held()).toEqual(own);
  });

  it('--replace-existing writes them and reports them as replaced; then they are unchanged', async () => {
    const r = await cli(['--replace-existing'], 'replace.json');
    expect(r.code, r.err).toBe(0);
    expect(r.report.targets).toEqual({
      'credentials:twilio': { replaced: 1, unchanged: 2 },
      'credentials:sendgrid': { replaced: 1, unchanged: 1 },
    });
    expect(r.report.conflicts).toEqual([]);
    expect(r.report.replaced.map((c) => [c.target, c.fields])).toEqual([
      ['credentials:twilio', ['accountSid', 'apiKeySecret', 'apiKeySid', 'authToken']],
      ['credentials:sendgrid', ['apiKey', 'fromEmail']],
    ]);
    expect(r.out).toMatch(/^replaced: secrets \S+ credentials:twilio accountSid, /m);
    expect(await held()).toMatchObject({
      accountSid: SOURCE.accountSid,
      authToken: SOURCE.authToken,
      apiKeySid: SOURCE.apiKeySid,
      apiKeySecret: SOURCE.apiKeySecret,
      sendgrid: SOURCE.sendgrid,
    });
    const after = await cli([], 'after.json');
    expect(after.code).toBe(0);
    expect(after.report.targets).toEqual({
      'credentials:twilio': { unchanged: 3 },
      'credentials:sendgrid': { unchanged: 2 },
    });
  });

  it('printed and reported no value (canary)', () => {
    const all = printed.join('\n');
    expect(all.length).toBeGreaterThan(0);
    const values = [
      ...Object.values(OWN.twilio),
      ...Object.values(OWN.sendgrid),
      ...Object.values(SOURCE),
      hex32('crm-token-acme'),
      `AC${hex32('crm-account-acme')}`,
    ];
    for (const v of values) {
      expect(all).not.toContain(v);
      expect(all).not.toContain(v.slice(-12));
    }
  });
});
