// Canary leak test: distinct canary values in every secret field of every provider and in a named
// secret; every route driven (successes and failures); then every log line, response body, audit
// event and the raw database searched. The only place a canary may appear is the reveal response.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCOPES } from '../../src/services/tokens/scopes.js';
import { DIALECTS, startTestServer, type TestServer } from '../support/server.js';
import { bodyFor, pathFor, randomPhoneNumber } from './fixtures.js';

const hex = (n: number): string => randomBytes(n).toString('hex').slice(0, n);

function canaries() {
  return {
    twilioAuthToken: `cafe${hex(28)}`,
    twilioApiKeySecret: `CANARYtwilioKeySecret${hex(16)}`,
    sendgridApiKey: `SG.CANARYsendgrid${hex(12)}.${hex(20)}`,
    retellApiKey: `CANARYretell${hex(20)}`,
    exotelApiKey: `CANARYexotelKey${hex(16)}`,
    exotelApiToken: `CANARYexotelToken${hex(16)}`,
    namedSecret: `CANARYsecret${hex(20)}`,
    phoneExotelKey: `CANARYphoneExotelKey${hex(16)}`,
    phoneExotelToken: `CANARYphoneExotelToken${hex(16)}`,
    phoneExotelKey2: `CANARYphoneExotelKeyTwo${hex(16)}`,
    phoneExotelToken2: `CANARYphoneExotelTokenTwo${hex(16)}`,
    platformAuthToken: `beef${hex(28)}`,
    platformApiKeySecret: `CANARYplatformKeySecret${hex(16)}`,
  };
}

/** The canary and a fragment of it without its last four characters (the hint may show those). */
function needles(value: string): string[] {
  return [value, value.slice(0, -4)];
}

async function tableNames(s: TestServer): Promise<string[]> {
  const db = s.server.database.db;
  const r =
    s.server.database.dialect === 'sqlite'
      ? await sql<{ name: string }>`select name from sqlite_master where type = 'table'
          and name not like 'sqlite_%'`.execute(db)
      : await sql<{ name: string }>`select table_name as name from information_schema.tables
          where table_schema = current_schema() and table_type = 'BASE TABLE'`.execute(db);
  return r.rows.map((x) => x.name).sort();
}

function count(haystack: string, needle: string): number {
  return haystack.split(needle).length - 1;
}

describe.each(DIALECTS)('canary leak test on %s', (dialect) => {
  let s: TestServer;
  const c = canaries();
  const phone = `+1415${hex(7).replace(/[a-f]/g, '7')}`;
  /** A phone resource's number: in full only in its own tenant's responses, never logged or stored. */
  const phoneNumber = randomPhoneNumber();
  let revealBody = '';
  const tokens: string[] = [];

  beforeAll(async () => {
    s = await startTestServer(dialect, { logLevel: 'trace' });
  });
  afterAll(async () => {
    await s.close();
  });

  it('drives every route with canaries planted', async () => {
    const t = await s.createTenant('canary-tenant');
    const other = await s.createTenant('other-tenant');
    const all = await s.mintToken(t, SCOPES);
    const weak = await s.mintToken(t, ['credentials:read']);
    const foreign = await s.mintToken(other, SCOPES);
    tokens.push(all, weak, foreign);
    const base = `/v1/tenants/${t}`;
    const sid = (p: string) => `${p}${hex(32)}`;
    const bodies: Record<string, Record<string, unknown>> = {
      twilio: {
        accountSid: sid('AC'),
        authToken: c.twilioAuthToken,
        apiKeySid: sid('SK'),
        apiKeySecret: c.twilioApiKeySecret,
        defaultFrom: phone,
      },
      sendgrid: { apiKey: c.sendgridApiKey, fromEmail: 'ops@example.com' },
      retell: { apiKey: c.retellApiKey },
      exotel: {
        apiKey: c.exotelApiKey,
        apiToken: c.exotelApiToken,
        sid: 'acme',
        subdomain: 'api.exotel.com',
      },
    };
    const req = s.request.bind(s);
    for (const [provider, body] of Object.entries(bodies)) {
      expect(
        (await req('PUT', `${base}/credentials/${provider}`, { token: all, body })).status,
      ).toBe(200);
      // Again, as a partial update by root, then reads by everyone who may and may not.
      expect(
        (await req('PUT', `${base}/credentials/${provider}`, { token: s.rootToken, body })).status,
      ).toBe(200);
      for (const token of [all, weak, s.rootToken, foreign, undefined]) {
        await req('GET', `${base}/credentials/${provider}`, { token });
      }
      // Failures carrying the canaries: invalid neighbours, wrong field, unknown field, bad JSON,
      // the wrong token, and a body far too large.
      await req('PUT', `${base}/credentials/${provider}`, {
        token: all,
        body: { ...body, bogus: Object.values(body)[0] },
      });
      await req('PUT', `${base}/credentials/${provider}`, { token: weak, body });
      await req('PUT', `${base}/credentials/${provider}`, { token: foreign, body });
      await req('PUT', `/v1/tenants/${other}/credentials/${provider}`, { token: all, body });
      await req('PUT', `${base}/credentials/${provider}`, {
        token: all,
        rawBody: `{"apiKey": "${String(Object.values(body)[1])}"`,
      });
      await req('PUT', `${base}/credentials/${provider}`, {
        token: all,
        rawBody: JSON.stringify(body),
        headers: { 'content-type': 'text/plain' },
      });
      await req('PUT', `${base}/credentials/${provider}`, {
        token: all,
        body: { ...body, padding: 'x'.repeat(70_000) },
      });
    }
    // Canaries in the wrong fields: each is rejected without being echoed.
    await req('PUT', `${base}/credentials/twilio`, {
      token: all,
      body: { accountSid: c.retellApiKey, authToken: c.exotelApiToken },
    });
    await req('PUT', `${base}/credentials/sendgrid`, {
      token: all,
      body: { apiKey: c.retellApiKey, fromEmail: c.exotelApiKey },
    });
    await req('PUT', `${base}/credentials/exotel`, {
      token: all,
      body: { subdomain: c.twilioApiKeySecret },
    });
    await req('PUT', `${base}/credentials/twilio`, {
      token: all,
      body: { defaultFrom: c.namedSecret },
    });
    await req('POST', '/v1/tenants', {
      token: s.rootToken,
      body: { name: 42, extra: c.namedSecret },
    });
    await req('POST', `${base}/tokens`, {
      token: all,
      body: { name: c.namedSecret, scopes: [c.namedSecret] },
    });
    await req('GET', `${base}/credentials`, { token: all });
    await req('GET', `${base}/credentials`, { token: s.rootToken });

    // Named secret: write, read masked, reveal (the one allowed appearance), refused reveals.
    expect(
      (
        await req('PUT', `${base}/secrets/api-secret`, {
          token: all,
          body: { value: c.namedSecret },
        })
      ).status,
    ).toBe(200);
    await req('GET', `${base}/secrets/api-secret`, { token: all });
    await req('GET', `${base}/secrets`, { token: all });
    await req('PUT', `${base}/secrets/${encodeURIComponent('bad name!')}`, {
      token: all,
      body: { value: c.namedSecret },
    });
    await req('PUT', `${base}/secrets/api-secret`, {
      token: all,
      body: { value: [c.namedSecret] },
    });
    await req('POST', `${base}/secrets/api-secret/reveal`, { token: weak });
    await req('POST', `${base}/secrets/api-secret/reveal`, { token: s.rootToken });
    await req('POST', `${base}/secrets/api-secret/reveal`, { token: foreign });
    const before = s.bodies.length;
    const reveal = await req('POST', `${base}/secrets/api-secret/reveal`, { token: all });
    expect(reveal.status).toBe(200);
    revealBody = reveal.text;
    s.bodies.splice(before, 1);
    expect(revealBody).toContain(c.namedSecret);

    // The platform's own Twilio credentials: set by root, refused to tenant tokens and bad bodies,
    // read masked, used in-process (audited on the operator stream).
    const platform = {
      accountSid: sid('AC'),
      authToken: c.platformAuthToken,
      apiKeySid: sid('SK'),
      apiKeySecret: c.platformApiKeySecret,
    };
    const platformUrl = '/v1/platform/credentials/twilio';
    expect((await req('PUT', platformUrl, { token: s.rootToken, body: platform })).status).toBe(
      200,
    );
    for (const token of [all, foreign, undefined]) {
      await req('PUT', platformUrl, { token, body: platform });
    }
    await req('PUT', platformUrl, {
      token: s.rootToken,
      body: { ...platform, defaultFrom: c.platformAuthToken },
    });
    await req('PUT', platformUrl, {
      token: s.rootToken,
      body: { accountSid: c.platformApiKeySecret, authToken: c.platformApiKeySecret },
    });
    for (const token of [all, s.rootToken, undefined]) await req('GET', platformUrl, { token });
    const platformUse = await s.server.services.platformCredentials.use('twilio', 'test.use', {
      kind: 'system',
      name: 'test',
    });
    expect(Object.keys(platformUse.secrets).sort()).toEqual(['apiKeySecret', 'authToken']);

    // In-process use of every provider's credentials (audited), then audit, tokens, deletes. The
    // test writes nothing to the log it searches: every line there is the product's.
    for (const provider of ['twilio', 'sendgrid', 'retell', 'exotel'] as const) {
      const used = await s.server.services.credentials.use(t, provider, 'test.use', {
        kind: 'system',
        name: 'test',
      });
      expect(Object.keys(used.secrets).length).toBeGreaterThan(0);
    }
    // Phones with their own Exotel account: create, read, patch, look up, refused writes carrying
    // the canaries, by everyone who may and may not.
    const phoneExotel = {
      apiKey: c.phoneExotelKey,
      apiToken: c.phoneExotelToken,
      sid: 'acme2',
      subdomain: 'api.in.exotel.com',
    };
    const phoneCreate = { number: phoneNumber, provider: 'exotel', exotel: phoneExotel };
    const made = await req('POST', `${base}/phones`, { token: all, body: phoneCreate });
    expect(made.status, made.text).toBe(201);
    const phoneId = (made.json as { id: string }).id;
    await req('POST', `${base}/phones`, { token: all, body: phoneCreate }); // 409
    await req('POST', `${base}/phones`, { token: weak, body: phoneCreate });
    await req('POST', `${base}/phones`, { token: foreign, body: phoneCreate });
    await req('POST', `/v1/tenants/${other}/phones`, { token: all, body: phoneCreate });
    await req('POST', `${base}/phones`, {
      token: all,
      body: { ...phoneCreate, number: randomPhoneNumber(), exotel: { ...phoneExotel, sid: '!' } },
    });
    await req('POST', `${base}/phones`, {
      token: all,
      body: { number: c.phoneExotelKey, provider: 'exotel', label: c.phoneExotelToken },
    });
    await req('POST', `${base}/phones`, {
      token: all,
      rawBody: `{"number": "${phoneNumber}", "exotel": {"apiKey": "${c.phoneExotelKey}"`,
    });
    const patched = await req('PATCH', `${base}/phones/${phoneId}`, {
      token: s.rootToken,
      body: {
        exotel: { ...phoneExotel, apiKey: c.phoneExotelKey2, apiToken: c.phoneExotelToken2 },
      },
    });
    expect(patched.status, patched.text).toBe(200);
    await req('PATCH', `${base}/phones/${phoneId}`, {
      token: all,
      body: { number: phoneNumber, exotel: { apiKey: c.phoneExotelKey } },
    });
    for (const token of [all, weak, s.rootToken, foreign, undefined]) {
      await req('GET', `${base}/phones/${phoneId}`, { token });
      await req('GET', `${base}/phones`, { token });
      await req('POST', `${base}/phones/lookup`, { token, body: { number: phoneNumber } });
    }
    await req('GET', `${base}/audit?limit=500`, { token: all });
    await req('GET', '/v1/audit', { token: s.rootToken });
    await req('GET', `${base}/tokens`, { token: all });
    await req('GET', '/openapi.json');
    // Then every route of the table, as the tenant and as root, on the canary tenant's objects (a
    // secret other than the canary's, so the one reveal above stays the only one).
    await req('PUT', `${base}/secrets/plain`, { token: all, body: { value: 'not-a-canary' } });
    const disposable = await req('POST', `${base}/tokens`, {
      token: s.rootToken,
      body: { name: 'disposable', scopes: ['audit:read'] },
    });
    const tokenId = (disposable.json as { id: string }).id;
    // Writes of credentials and secrets were driven above with the canaries; not overwritten here.
    const writes =
      /^(put\w*Credentials|putSecret|deleteSecret|deleteCredentials|deletePlatformTwilioCredentials)$/;
    for (const route of s.server.routes.filter((r) => !writes.test(r.operationId))) {
      for (const token of [all, s.rootToken, weak]) {
        const victim = route.operationId === 'deleteTenant' ? await s.createTenant('victim') : t;
        await req(
          route.method,
          pathFor(route, { tenantId: victim, secretName: 'plain', tokenId, phoneId, phoneNumber }),
          {
            token,
            body: bodyFor(route, { tenantId: victim, secretName: 'plain', tokenId, phoneNumber }),
          },
        );
      }
    }
    await req('DELETE', `${base}/credentials/retell`, { token: all });
    await req('DELETE', `${base}/secrets/api-secret`, { token: weak });
  });

  it('finds no canary in logs, responses, audit events or the raw database', async () => {
    const logs = s.logLines.join('\n');
    const responses = s.bodies.join('\n');
    const audit = JSON.stringify(
      await s.server.database.db.selectFrom('audit_events').selectAll().execute(),
    );
    let raw = '';
    const db = s.server.database.db;
    // Every table the database has (not a hand-kept list): a new table is scanned too.
    const tables = await tableNames(s);
    expect(tables).toEqual(expect.arrayContaining(['tenants', 'credentials', 'secrets', 'phones']));
    for (const table of tables) {
      raw += JSON.stringify((await sql`select * from ${sql.table(table)}`.execute(db)).rows);
    }
    if (dialect === 'sqlite') {
      for (const f of ['telvault.db', 'telvault.db-wal']) {
        const p = join(s.dataDir, f);
        if (existsSync(p)) raw += readFileSync(p).toString('latin1');
      }
    }
    // The search is meaningful: the product logged every request that carried a canary (trace
    // level: the most it ever logs), and the reveal.
    for (const provider of ['twilio', 'sendgrid', 'retell', 'exotel']) {
      const lines = s.logLines.filter((l) => l.includes(`/credentials/${provider}`));
      expect(lines.length, `log lines of ${provider} requests`).toBeGreaterThanOrEqual(10);
    }
    expect(tables).toContain('platform_credentials');
    expect(logs).toContain('"msg":"secret revealed"');
    for (const [name, value] of Object.entries(c)) {
      for (const needle of needles(value)) {
        expect(count(logs, needle), `${name} in logs`).toBe(0);
        expect(count(responses, needle), `${name} in responses`).toBe(0);
        expect(count(audit, needle), `${name} in audit`).toBe(0);
        expect(count(raw, needle), `${name} in the database`).toBe(0);
      }
    }
    expect(count(revealBody, c.namedSecret)).toBe(1);
    // Phone numbers: never in logs or the database in full; tokens: never in logs or the database.
    expect(count(logs, phone), 'phone in logs').toBe(0);
    expect(count(raw, phone), 'phone in the database').toBe(0);
    // The phone resource's number: never logged or stored in the clear (E.164 or national), and
    // to the root token only masked. The search is meaningful: its own tenant saw it in full.
    const nsn = phoneNumber.slice(3);
    for (const needle of [phoneNumber, nsn]) {
      expect(count(logs, needle), 'phone number in logs').toBe(0);
      expect(count(raw, needle), 'phone number in the database').toBe(0);
      expect(count(audit, needle), 'phone number in audit').toBe(0);
    }
    expect(count(responses, phoneNumber)).toBeGreaterThan(0);
    expect(s.logLines.filter((l) => l.includes('/phones')).length).toBeGreaterThanOrEqual(20);
    for (const token of [...tokens, s.rootToken]) {
      expect(count(logs, token), 'token in logs').toBe(0);
      expect(count(raw, token), 'token in the database').toBe(0);
    }
  });
});
