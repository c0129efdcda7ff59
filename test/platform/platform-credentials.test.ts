// The platform's own Twilio credentials over HTTP: root only, validated like a tenant's Twilio
// credentials, shown masked, sealed under the system key (raw rows and the SQLite file hold no
// plaintext), every write, delete and use audited on the operator stream, and never a secret in a
// response, a log line or an audit event.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCOPES } from '../../src/services/tokens/scopes.js';
import { DIALECTS, startTestServer, type TestServer } from '../support/server.js';

const hex = (n: number): string => randomBytes(n).toString('hex').slice(0, n);
const URL_ = '/v1/platform/credentials/twilio';

interface AuditPage {
  events: { action: string; target: string; outcome: string; detail: unknown }[];
}

describe.each(DIALECTS)('platform Twilio credentials on %s', (dialect) => {
  let s: TestServer;
  const accountSid = `AC${hex(32)}`;
  // 32 hex digits, as Twilio's; the canary is the value itself (it must appear nowhere).
  const authToken = `cafe${hex(28)}`;
  const apiKeySid = `SK${hex(32)}`;
  const apiKeySecret = `CANARYplatformKeySecret${hex(16)}`;
  const canaries = [authToken, authToken.slice(0, -4), apiKeySecret, apiKeySecret.slice(0, -4)];

  beforeAll(async () => {
    s = await startTestServer(dialect, { logLevel: 'trace' });
  });
  afterAll(async () => {
    await s.close();
  });

  it('answers only the root token: a tenant token with every scope is refused, no token is 401', async () => {
    const t = await s.createTenant('tenant-a');
    const all = await s.mintToken(t, SCOPES);
    const body = { accountSid, authToken };
    for (const [method, b] of [
      ['PUT', body],
      ['GET', undefined],
      ['DELETE', undefined],
    ] as const) {
      const r = await s.request(method, URL_, { token: all, body: b });
      expect(r.status, `${method} ${r.text}`).toBe(403);
      expect((r.json as { error: { code: string } }).error.code).toBe('ERR_AUTH_FORBIDDEN');
      expect((await s.request(method, URL_, { body: b })).status).toBe(401);
    }
    // Nothing was stored by the refused PUT.
    expect((await s.request('GET', URL_, { token: s.rootToken })).status).toBe(404);
  });

  it('validates like the tenant Twilio credentials and shows write-only secrets masked', async () => {
    const root = s.rootToken;
    const missing = await s.request('PUT', URL_, { token: root, body: { accountSid } });
    expect(missing.status).toBe(400);
    expect(missing.text).toContain('authToken');
    const badToken = await s.request('PUT', URL_, {
      token: root,
      body: { accountSid, authToken: 'not-hex' },
    });
    expect(badToken.status).toBe(400);
    expect(badToken.text).toContain('authToken: must be 32 hex digits');
    // A tenant's own fields are not the platform's.
    const extra = await s.request('PUT', URL_, {
      token: root,
      body: { accountSid, authToken, defaultFrom: '+14155550123' },
    });
    expect(extra.status).toBe(400);

    const put = await s.request('PUT', URL_, { token: root, body: { accountSid, authToken } });
    expect(put.status, put.text).toBe(200);
    expect(put.json).toEqual({
      provider: 'twilio',
      accountSid,
      authToken: { set: true, last4: authToken.slice(-4) },
      updatedAt: expect.any(String) as unknown,
    });
    // Partial: an API key is added, the token kept.
    const key = await s.request('PUT', URL_, { token: root, body: { apiKeySid, apiKeySecret } });
    expect(key.status, key.text).toBe(200);
    expect(key.json).toMatchObject({
      accountSid,
      apiKeySid,
      authToken: { set: true },
      apiKeySecret: { set: true, last4: apiKeySecret.slice(-4) },
    });
    // Another account without its secrets again: refused, naming them.
    const moved = await s.request('PUT', URL_, {
      token: root,
      body: { accountSid: `AC${hex(32)}` },
    });
    expect(moved.status).toBe(400);
    expect(moved.text).toContain('authToken: is required when accountSid changes');
    const got = await s.request('GET', URL_, { token: root });
    expect(got.status).toBe(200);
    expect(got.json).toEqual(key.json);
  });

  it('seals each secret under the system key, bound to its field and row', async () => {
    const db = s.server.database.db;
    const row = await db
      .selectFrom('platform_credentials')
      .selectAll()
      .where('provider', '=', 'twilio')
      .executeTakeFirstOrThrow();
    const sealed = JSON.parse(row.secrets_json) as Record<string, string>;
    expect(Object.keys(sealed).sort()).toEqual(['apiKeySecret', 'authToken']);
    for (const envelope of Object.values(sealed)) expect(envelope).toMatch(/^tv1\.system\.s1\./);
    const actor = { kind: 'system', name: 'test' } as const;
    const used = await s.server.services.platformCredentials.use('twilio', 'test.use', actor);
    expect(used.secrets['authToken']?.reveal()).toBe(authToken);
    expect(used.secrets['apiKeySecret']?.reveal()).toBe(apiKeySecret);
    expect(used.public).toEqual({ accountSid, apiKeySid });

    // One field's envelope in the other's place does not open (the opaque error).
    const swapped = { authToken: sealed['apiKeySecret'], apiKeySecret: sealed['authToken'] };
    await db
      .updateTable('platform_credentials')
      .set({ secrets_json: JSON.stringify(swapped) })
      .where('provider', '=', 'twilio')
      .execute();
    await expect(
      s.server.services.platformCredentials.use('twilio', 'test.use', actor),
    ).rejects.toMatchObject({ code: 'ERR_CRYPTO_DECRYPT_FAILED', message: 'decryption failed' });
    await db
      .updateTable('platform_credentials')
      .set({ secrets_json: row.secrets_json })
      .where('provider', '=', 'twilio')
      .execute();
  });

  it('audits writes, uses and the delete on the operator stream; DELETE then answers 404', async () => {
    const root = s.rootToken;
    const del = await s.request('DELETE', URL_, { token: root });
    expect(del.status).toBe(204);
    expect((await s.request('GET', URL_, { token: root })).status).toBe(404);
    expect((await s.request('DELETE', URL_, { token: root })).status).toBe(404);
    const actor = { kind: 'system', name: 'test' } as const;
    await expect(
      s.server.services.platformCredentials.use('twilio', 'test.use', actor),
    ).rejects.toMatchObject({
      code: 'ERR_PROVIDER_NOT_CONFIGURED',
      message: expect.stringContaining('PUT /v1/platform/credentials/twilio') as unknown,
    });

    const page = (await s.request('GET', '/v1/audit?limit=200', { token: root })).json as AuditPage;
    const mine = page.events.filter((e) => e.target === 'platform-credential:twilio');
    expect(mine.map((e) => [e.action, e.outcome])).toEqual([
      ['platform.credential.write', 'success'],
      ['platform.credential.write', 'success'],
      ['platform.credential.use', 'success'],
      ['platform.credential.use', 'success'],
      ['platform.credential.delete', 'success'],
      ['platform.credential.use', 'failure'],
    ]);
    expect(mine[1]?.detail).toEqual({ fields: ['apiKeySecret', 'apiKeySid'] });
    expect(mine[2]?.detail).toEqual({ operation: 'test.use' });
  });

  it('leaves no secret in responses, logs, audit events, the raw tables or the SQLite file', async () => {
    const db = s.server.database.db;
    // Stored again, so the scan below sees live envelopes, not only deleted ones.
    const put = await s.request('PUT', URL_, {
      token: s.rootToken,
      body: { accountSid, authToken, apiKeySid, apiKeySecret },
    });
    expect(put.status).toBe(200);
    const audit = JSON.stringify(await db.selectFrom('audit_events').selectAll().execute());
    let raw = JSON.stringify(await db.selectFrom('platform_credentials').selectAll().execute());
    raw += JSON.stringify(await db.selectFrom('tenant_keys').selectAll().execute());
    if (dialect === 'sqlite') {
      for (const f of ['telvault.db', 'telvault.db-wal']) {
        const p = join(s.dataDir, f);
        if (existsSync(p)) raw += readFileSync(p).toString('latin1');
      }
      expect(raw.length).toBeGreaterThan(10_000);
    }
    const logs = s.logLines.join('\n');
    // The search is meaningful: the requests that carried the secrets were logged.
    expect(s.logLines.filter((l) => l.includes(URL_)).length).toBeGreaterThanOrEqual(8);
    for (const needle of canaries) {
      expect(logs, 'logs').not.toContain(needle);
      expect(s.bodies.join('\n'), 'responses').not.toContain(needle);
      expect(audit, 'audit').not.toContain(needle);
      expect(raw, 'database').not.toContain(needle);
    }
  });
});
