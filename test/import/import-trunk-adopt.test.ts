// An imported trunk (state `imported`: the platform's trunk sid, SIP username and sealed password,
// no provider call) is adopted by the first PUT …/trunk: the trunk by its sid, the credential by
// its username among several in the list, the password as imported; nothing is written at Twilio
// when the trunk already routes to Retell. The tenant's own trunk is refused to a later import.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ImportReport } from '../../src/services/import/index.js';
import type { TestSandbox } from '../support/sandbox.js';
import type { TestServer } from '../support/server.js';
import {
  foreignTrunk,
  heldPassword,
  trunkTenant,
  twilioCalls,
  twilioOf,
  useTrunkStack,
  viewOf,
} from '../trunks/support.js';
import { legacyEncoders, sampleSecrets } from './legacy-samples.js';
import { readJson, runImport } from './support.js';

describe('an imported trunk, adopted by the first setup', () => {
  const stack = useTrunkStack('sqlite');
  let sb: TestSandbox;
  let s: TestServer;
  beforeAll(() => ({ sb, s } = stack));

  /** A foreign trunk with two credentials, and a mapping importing it with the second one. */
  async function foreignImport() {
    const { tenantId, token, account } = await trunkTenant(s, sb);
    const f = await foreignTrunk(sb, account, {
      origination: 'sip:sip.retellai.com',
      credentials: 2,
    });
    const cred = f.credentials[1];
    if (cred === undefined) throw new Error('no credential');
    const dir = mkdtempSync(join(tmpdir(), 'tv-import-trunk-'));
    const enc = legacyEncoders(sampleSecrets());
    const sealed = enc.fields(cred.password, 'adopt');
    const record = {
      _id: { $oid: '65a1f0c2e4b0a1b2c3d4e5f6' },
      trunk: { sid: f.trunkSid, domain: f.domainName },
      sip: {
        username: cred.username,
        password: sealed.encrypted,
        iv: sealed.iv,
        tag: sealed.authTag,
      },
    };
    writeFileSync(join(dir, 'in.ndjson'), `${JSON.stringify(record)}\n`);
    const mapping = {
      version: 1,
      keys: {
        connector: {
          scheme: 'gcm-fields-scrypt',
          secretEnv: 'ENCRYPTION_KEY',
          params: { salt: 'twilio-connector-salt' },
        },
      },
      sources: [
        {
          name: 'subaccounts',
          file: 'in.ndjson',
          format: 'ejson',
          id: '_id',
          tenant: { id: tenantId },
          targets: [
            {
              type: 'trunk',
              fields: {
                trunkSid: { path: 'trunk.sid' },
                domainName: { path: 'trunk.domain' },
                username: { path: 'sip.username' },
                password: {
                  compose: { encrypted: 'sip.password', iv: 'sip.iv', authTag: 'sip.tag' },
                  key: 'connector',
                },
              },
            },
          ],
        },
      ],
    };
    writeFileSync(join(dir, 'mapping.json'), JSON.stringify(mapping));
    return { tenantId, token, account, f, cred, dir, record, enc };
  }

  it('adopts the trunk and the credential with the imported username and password', async () => {
    const { tenantId, token, account, f, cred, dir, record, enc } = await foreignImport();
    sb.context.counters.clear();
    const r = await runImport(s, ['--mapping', join(dir, 'mapping.json')]);
    expect(r.code, r.err).toBe(0);
    expect(await twilioCalls(sb)).toEqual({ reads: 0, writes: 0 });
    const imported = viewOf(await s.request('GET', `/v1/tenants/${tenantId}/trunk`, { token }));
    expect(imported.state).toBe('imported');
    expect(imported.credential).toBeNull();

    const put = await s.request('PUT', `/v1/tenants/${tenantId}/trunk`, { token, body: {} });
    expect(put.status, put.text).toBe(200);
    const v = viewOf(put);
    expect(v.state).toBe('ready');
    expect(v.trunkSid).toBe(f.trunkSid);
    expect((put.json as { twilioAccountSid: string }).twilioAccountSid).toBe(account.sid);
    expect(v.credentialList).toEqual({ sid: f.listSid, origin: 'adopted' });
    expect(v.credential).toEqual({
      sid: cred.sid,
      origin: 'adopted',
      username: cred.username,
      password: { set: true },
    });
    expect((await twilioCalls(sb)).writes).toBe(0);
    expect((await heldPassword(s, tenantId)).reveal()).toBe(cred.password);
    expect(put.text).not.toContain(cred.password);

    // Set up now: a later import of another password for it is refused, the trunk left as it is.
    const other = enc.fields('An0therPassw0rdX', 'other');
    writeFileSync(
      join(dir, 'in.ndjson'),
      `${JSON.stringify({ ...record, sip: { ...record.sip, password: other.encrypted, iv: other.iv, tag: other.authTag } })}\n`,
    );
    const again = await runImport(s, [
      '--mapping',
      join(dir, 'mapping.json'),
      '--report',
      join(dir, 'r.json'),
    ]);
    expect(again.code).toBe(1);
    expect((readJson(join(dir, 'r.json')) as ImportReport).failed).toEqual([
      expect.objectContaining({ target: 'trunk', code: 'ERR_TRUNK_CONFLICT' }),
    ]);
    expect((await heldPassword(s, tenantId)).reveal()).toBe(cred.password);
  });

  it('deletes an imported trunk that was never adopted, leaving the platform trunk in place', async () => {
    const { tenantId, token, account, f, dir } = await foreignImport();
    const r = await runImport(s, ['--mapping', join(dir, 'mapping.json')]);
    expect(r.code, r.err).toBe(0);
    sb.context.counters.clear();
    const del = await s.request('DELETE', `/v1/tenants/${tenantId}/trunk`, { token });
    expect(del.status, del.text).toBe(200);
    expect(del.json).toMatchObject({
      numbers: { released: 0, detached: 0 },
      removed: [],
      leftInPlace: [{ resource: 'trunk', sid: f.trunkSid }],
    });
    // Nothing written at Twilio: the trunk, its list and credentials are the platform's.
    expect((await twilioCalls(sb)).writes).toBe(0);
    const dump = await twilioOf(sb, account.sid);
    expect(dump.trunks.map((t) => t.sid)).toContain(f.trunkSid);
    const gone = await s.request('GET', `/v1/tenants/${tenantId}/trunk`, { token });
    expect(gone.status).toBe(404);
  });
});
