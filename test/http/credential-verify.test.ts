// POST /v1/tenants/:tenantId/credentials/:provider/verify through the real server, its provider
// clients pointed at a real sandbox (both on 127.0.0.1, random ports), on SQLite and PostgreSQL:
// valid credentials from the sandbox seed, wrong ones, 403 and 503 faults injected through the
// sandbox admin, redirects (never followed), SendGrid's sender check, no credentials, the audit
// trail, and no secret in any response or log line.
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCOPES } from '../../src/services/tokens/scopes.js';
import { startTestSandbox, twilioAccounts, type TestSandbox } from '../support/sandbox.js';
import { DIALECTS, startTestServer, type TestServer } from '../support/server.js';

const hex = (n: number): string => randomBytes(n).toString('hex').slice(0, n);

const PROVIDERS = ['twilio', 'retell', 'exotel', 'sendgrid'] as const;
type Provider = (typeof PROVIDERS)[number];

/** A path regex per provider, for the sandbox's fault rules. */
const PREFIX: Record<Provider, string> = {
  twilio: '^/twilio-api/',
  retell: '^/retell/',
  exotel: '^/exotel/',
  sendgrid: '^/sendgrid/',
};

interface Verdict {
  provider: string;
  ok: boolean;
  sender?: string;
  error?: {
    code: string;
    message: string;
    status?: number;
    providerCode?: string | number;
    retryable: boolean;
  };
}

interface AuditPage {
  events: {
    action: string;
    actor: string;
    target: string;
    outcome: string;
    detail: Record<string, unknown> | null;
  }[];
}

function validFromSeed(sb: TestSandbox): Record<Provider, Record<string, string>> {
  const { main } = twilioAccounts(sb.seed);
  const exotel = sb.seed.exotel?.accounts[0];
  const retellKey = sb.seed.retell?.apiKeys[0];
  const sendgridKey = sb.seed.sendgrid?.apiKeys[0];
  if (exotel === undefined || retellKey === undefined || sendgridKey === undefined) {
    throw new Error('seed lacks an account');
  }
  return {
    twilio: { accountSid: main.sid, authToken: main.authToken },
    retell: { apiKey: retellKey },
    exotel: {
      sid: exotel.sid,
      apiKey: exotel.apiKey,
      apiToken: exotel.apiToken,
      subdomain: exotel.host,
    },
    sendgrid: { apiKey: sendgridKey, fromEmail: 'noreply@example.com' },
  };
}

/** Every secret the seed holds: none may reach a response, a log line or the audit log. */
function seedSecrets(sb: TestSandbox): string[] {
  const s = sb.seed;
  return [
    ...(s.twilio?.accounts ?? []).flatMap((a) => [
      a.authToken,
      ...(a.apiKeys ?? []).map((k) => k.secret),
    ]),
    ...(s.retell?.apiKeys ?? []),
    ...(s.exotel?.accounts ?? []).flatMap((a) => [a.apiKey, a.apiToken]),
    ...(s.sendgrid?.apiKeys ?? []),
  ];
}

describe.each(DIALECTS)('credential verify on %s', (dialect) => {
  let sb: TestSandbox;
  let s: TestServer;
  let tenant = '';
  let token = '';
  const wrong: string[] = [];

  beforeAll(async () => {
    sb = await startTestSandbox();
    s = await startTestServer(dialect, {
      logLevel: 'trace',
      config: { providers: 'sandbox', sandboxUrl: sb.url },
    });
    tenant = await s.createTenant('verified');
    token = await s.mintToken(tenant, ['credentials:read', 'credentials:write', 'audit:read']);
  });
  afterAll(async () => {
    await s?.close();
    await sb?.close();
  });

  const put = (provider: string, body: unknown, t = tenant, tok = token) =>
    s.request('PUT', `/v1/tenants/${t}/credentials/${provider}`, { token: tok, body });
  const verify = async (provider: string, t = tenant, tok = token) => {
    const r = await s.request('POST', `/v1/tenants/${t}/credentials/${provider}/verify`, {
      token: tok,
    });
    return { status: r.status, body: r.json as Verdict, text: r.text };
  };

  it('answers ok for the seed’s valid credentials of every provider', async () => {
    const valid = validFromSeed(sb);
    for (const provider of PROVIDERS) {
      expect((await put(provider, valid[provider])).status, provider).toBe(200);
      const r = await verify(provider);
      expect(r.status, r.text).toBe(200);
      // SendGrid says what it makes of fromEmail (the seed's verified sender); no other has it.
      expect(r.body, provider).toEqual(
        provider === 'sendgrid'
          ? { provider, ok: true, sender: 'verified' }
          : { provider, ok: true },
      );
    }
    // Twilio with an API key instead of the auth token, and a subaccount; Exotel's other cluster.
    const { main, sub } = twilioAccounts(sb.seed);
    await put('twilio', { authToken: null, apiKeySid: main.keySid, apiKeySecret: main.keySecret });
    expect((await verify('twilio')).body.ok).toBe(true);
    await put('twilio', {
      accountSid: sub.sid,
      authToken: sub.authToken,
      apiKeySid: null,
      apiKeySecret: null,
    });
    expect((await verify('twilio')).body.ok).toBe(true);
    const other = sb.seed.exotel?.accounts[1];
    await put('exotel', {
      sid: other?.sid,
      apiKey: other?.apiKey,
      apiToken: other?.apiToken,
      subdomain: other?.host,
    });
    expect((await verify('exotel')).body.ok).toBe(true);
    // The root token may verify too (its use is audited as root).
    expect((await verify('retell', tenant, s.rootToken)).body.ok).toBe(true);
  });

  it('reports wrong credentials as ERR_PROVIDER_CREDENTIALS_INVALID with status 401', async () => {
    const valid = validFromSeed(sb);
    const bad: Record<Provider, Record<string, string>> = {
      twilio: { ...valid.twilio, authToken: hex(32) },
      retell: { apiKey: `key_${hex(24)}` },
      exotel: { ...valid.exotel, apiToken: hex(32) },
      sendgrid: { ...valid.sendgrid, apiKey: `SG.${hex(11)}.${hex(21)}` },
    };
    wrong.push(bad.twilio.authToken ?? '', bad.retell.apiKey ?? '', bad.exotel.apiToken ?? '');
    wrong.push(bad.sendgrid.apiKey ?? '');
    for (const provider of PROVIDERS) {
      expect((await put(provider, bad[provider])).status).toBe(200);
      const r = await verify(provider);
      expect(r.status, r.text).toBe(200);
      expect(r.body.ok, provider).toBe(false);
      expect(r.body.error, provider).toMatchObject({
        code: 'ERR_PROVIDER_CREDENTIALS_INVALID',
        status: 401,
        retryable: false,
      });
      // Our own words: provider, operation, status and provider code, never vendor text.
      expect(r.body.error?.message, provider).toMatch(
        new RegExp(
          `^${provider} [a-z.]+ failed: HTTP 401${provider === 'twilio' ? ' \\(code 20003\\)' : ''}$`,
        ),
      );
      expect(Object.keys(r.body.error ?? {}).sort()).toEqual(
        provider === 'twilio'
          ? ['code', 'message', 'providerCode', 'retryable', 'status']
          : expect.arrayContaining(['code', 'message', 'retryable', 'status']),
      );
    }
    const twilio = await verify('twilio');
    expect(twilio.body.error?.providerCode).toBe(20003);
    // An Exotel account exists on its own cluster only: the right secrets on the wrong host fail.
    const exotel = sb.seed.exotel?.accounts[0];
    await put('exotel', {
      sid: exotel?.sid,
      apiKey: exotel?.apiKey,
      apiToken: exotel?.apiToken,
      subdomain: exotel?.host === 'api.exotel.com' ? 'api.in.exotel.com' : 'api.exotel.com',
    });
    expect((await verify('exotel')).body.error?.code).toBe('ERR_PROVIDER_CREDENTIALS_INVALID');
    // Back to valid credentials for the fault tests.
    for (const provider of PROVIDERS) await put(provider, valid[provider]);
  });

  it('maps a SendGrid 403 (key lacking the scope) to ERR_PROVIDER_FORBIDDEN, not retryable', async () => {
    // A restricted key reads its own scopes fine: the check passes and the key is valid.
    const created = await sb.admin('POST', 'sendgrid/keys', { scopes: ['mail.send'] });
    expect(created.status).toBe(201);
    const restricted = (created.body as { apiKey: string }).apiKey;
    wrong.push(restricted);
    await put('sendgrid', { apiKey: restricted });
    // It may not read the sender lists either: the sender is unknown, and that is still ok.
    expect((await verify('sendgrid')).body).toEqual({
      provider: 'sendgrid',
      ok: true,
      sender: 'unknown',
    });
    // SendGrid answers 403 to a key without the scope a read needs ("access forbidden").
    const fault = await sb.admin('POST', 'faults', {
      method: 'GET',
      path: '^/sendgrid/v3/scopes$',
      action: { kind: 'error', status: 403, message: 'access forbidden' },
    });
    expect(fault.status).toBe(201);
    const r = await verify('sendgrid');
    expect(r.body).toEqual({
      provider: 'sendgrid',
      ok: false,
      sender: 'unknown',
      error: {
        code: 'ERR_PROVIDER_FORBIDDEN',
        message: 'sendgrid verify failed: HTTP 403',
        status: 403,
        retryable: false,
      },
    });
    await sb.admin('DELETE', 'faults');
    await put('sendgrid', validFromSeed(sb).sendgrid);
  });

  it('answers ERR_PROVIDER_FORBIDDEN without a status for a SendGrid key lacking mail.send', async () => {
    const audited = async () => {
      const page = await s.request('GET', `/v1/tenants/${tenant}/audit?limit=500`, { token });
      const events = (page.json as AuditPage).events.filter(
        (e) => e.target === 'credential:sendgrid',
      );
      return {
        uses: events.filter((e) => e.action === 'credential.use' && e.outcome === 'success'),
        outcomes: events.filter((e) => e.action === 'credential.verify'),
      };
    };
    const before = await audited();
    // The key works (SendGrid answers 200 to GET /v3/scopes) but may not send mail.
    const readOnly = await sb.admin('POST', 'sendgrid/keys', { scopes: ['scopes.read'] });
    expect(readOnly.status).toBe(201);
    const readKey = (readOnly.body as { apiKey: string }).apiKey;
    wrong.push(readKey);
    expect((await put('sendgrid', { apiKey: readKey })).status).toBe(200);
    const r = await verify('sendgrid');
    expect(r.status, r.text).toBe(200);
    expect(r.body).toEqual({
      provider: 'sendgrid',
      ok: false,
      sender: 'unknown',
      error: {
        code: 'ERR_PROVIDER_FORBIDDEN',
        // Every typed error says why: here no status could.
        message: 'sendgrid verify failed: the key lacks the mail.send scope',
        retryable: false,
      },
    });
    // The provider answered 200: no status field at all (the schema's status is optional).
    expect(Object.keys(r.body.error ?? {}).sort()).toEqual(['code', 'message', 'retryable']);

    // A key with mail.send (and nothing else) verifies ok.
    const sender = await sb.admin('POST', 'sendgrid/keys', { scopes: ['mail.send'] });
    expect(sender.status).toBe(201);
    const sendKey = (sender.body as { apiKey: string }).apiKey;
    wrong.push(sendKey);
    expect((await put('sendgrid', { apiKey: sendKey })).status).toBe(200);
    const ok = await verify('sendgrid');
    expect(ok.status, ok.text).toBe(200);
    expect(ok.body).toEqual({ provider: 'sendgrid', ok: true, sender: 'unknown' });

    // Each verify audited the use (its operation) and the outcome; a missing status is null.
    const after = await audited();
    expect(after.uses.length - before.uses.length).toBe(2);
    for (const e of after.uses) expect(e.detail).toEqual({ operation: 'credentials.verify' });
    expect(after.outcomes.length - before.outcomes.length).toBe(2);
    expect(
      after.outcomes.filter(
        (e) => e.outcome === 'failure' && e.detail?.['code'] === 'ERR_PROVIDER_FORBIDDEN',
      ),
    ).toContainEqual(
      expect.objectContaining({
        detail: {
          code: 'ERR_PROVIDER_FORBIDDEN',
          status: null,
          retryable: false,
          sender: 'unknown',
        },
      }),
    );
    expect(
      after.outcomes.filter((e) => e.outcome === 'success').length -
        before.outcomes.filter((e) => e.outcome === 'success').length,
    ).toBe(1);
    // Neither key reached a response or a log line (the last test scans the audit log too).
    const logs = s.logLines.join('\n');
    const responses = s.bodies.join('\n');
    for (const key of [readKey, sendKey]) {
      expect(logs.includes(key), 'a key in the logs').toBe(false);
      expect(responses.includes(key), 'a key in a response').toBe(false);
    }
    await put('sendgrid', validFromSeed(sb).sendgrid);
  });

  it('reports an injected 503 as ERR_PROVIDER_UNAVAILABLE, retryable, for every provider', async () => {
    for (const provider of PROVIDERS) {
      const fault = await sb.admin('POST', 'faults', {
        path: PREFIX[provider],
        action: { kind: 'error', status: 503 },
      });
      expect(fault.status, provider).toBe(201);
      const r = await verify(provider);
      expect(r.status).toBe(200);
      expect(r.body.ok, provider).toBe(false);
      expect(r.body.error, provider).toMatchObject({
        code: 'ERR_PROVIDER_UNAVAILABLE',
        status: 503,
        retryable: true,
      });
      // One attempt only: the fault fired once and nothing else reached the sandbox.
      const rules = (await sb.admin('GET', 'faults')).body as { faults: { seen: number }[] };
      expect(rules.faults[0]?.seen, provider).toBe(1);
      await sb.admin('DELETE', 'faults');
      expect((await verify(provider)).body.ok, provider).toBe(true);
    }
  });

  it('answers sender unverified, ok false, for a fromEmail SendGrid would refuse', async () => {
    const valid = validFromSeed(sb).sendgrid;
    // The list includes senders whose verification is pending; only `verified: true` counts.
    const configured = await sb.admin('POST', 'sendgrid/config', {
      unverifiedSenders: ['pending@example.com'],
      authenticatedDomains: ['mail.example.org'],
    });
    expect(configured.status).toBe(200);
    for (const fromEmail of ['pending@example.com', 'stranger@example.com']) {
      expect((await put('sendgrid', { ...valid, fromEmail })).status).toBe(200);
      const r = await verify('sendgrid');
      expect(r.status, r.text).toBe(200);
      expect(r.body, fromEmail).toEqual({
        provider: 'sendgrid',
        ok: false,
        sender: 'unverified',
        error: {
          code: 'ERR_PROVIDER_FORBIDDEN',
          message: 'sendgrid verify failed: the fromEmail sender is not verified for this key',
          retryable: false,
        },
      });
    }
    // An address at an authenticated domain sends, but is not itself verified: unknown, ok.
    await put('sendgrid', { ...valid, fromEmail: 'alerts@mail.example.org' });
    expect((await verify('sendgrid')).body).toEqual({
      provider: 'sendgrid',
      ok: true,
      sender: 'unknown',
    });
    // The outcome is audited with the sender's status (never the address).
    const page = await s.request('GET', `/v1/tenants/${tenant}/audit?limit=500`, { token });
    const outcomes = (page.json as AuditPage).events.filter(
      (e) => e.action === 'credential.verify' && e.target === 'credential:sendgrid',
    );
    expect(outcomes).toContainEqual(
      expect.objectContaining({
        outcome: 'failure',
        detail: {
          code: 'ERR_PROVIDER_FORBIDDEN',
          status: null,
          retryable: false,
          sender: 'unverified',
        },
      }),
    );
    expect(outcomes).toContainEqual(
      expect.objectContaining({ outcome: 'success', detail: { sender: 'unknown' } }),
    );
    expect(JSON.stringify(outcomes)).not.toContain('stranger@example.com');
    await sb.admin('POST', 'reset');
    await put('sendgrid', valid);
    expect((await verify('sendgrid')).body.sender).toBe('verified');
  });

  it('reports a redirect as ERR_PROVIDER_REDIRECTED and never follows it, for every provider', async () => {
    // Where the redirects point: it answers 200 to anything, so a followed redirect would pass.
    const reached: string[] = [];
    const elsewhere = createServer((req, res) => {
      reached.push(`${req.method ?? ''} ${req.url ?? ''}`);
      res.writeHead(200, { 'content-type': 'application/json' }).end('[]');
    });
    await new Promise<void>((resolve) => elsewhere.listen(0, '127.0.0.1', resolve));
    const target = `http://127.0.0.1:${(elsewhere.address() as AddressInfo).port}`;
    try {
      for (const provider of PROVIDERS) {
        for (const status of [301, 302, 307, 308]) {
          const fault = await sb.admin('POST', 'faults', {
            path: PREFIX[provider],
            action: { kind: 'redirect', status, location: `${target}/${provider}` },
          });
          expect(fault.status).toBe(201);
          const r = await verify(provider);
          expect(r.status, r.text).toBe(200);
          expect(r.body, `${provider} ${status}`).toEqual({
            provider,
            ok: false,
            ...(provider === 'sendgrid' ? { sender: 'unknown' } : {}),
            error: {
              code: 'ERR_PROVIDER_REDIRECTED',
              message: expect.stringMatching(
                new RegExp(`^${provider} .* failed: HTTP ${status}$`),
              ) as unknown,
              status,
              retryable: false,
            },
          });
          await sb.admin('DELETE', 'faults');
        }
      }
      expect(reached).toEqual([]);
    } finally {
      await new Promise<void>((resolve) => elsewhere.close(() => resolve()));
    }
  });

  it('reports a dropped connection as ERR_PROVIDER_UNAVAILABLE without a status', async () => {
    await sb.admin('POST', 'faults', { path: PREFIX.exotel, action: { kind: 'drop' } });
    const r = await verify('exotel');
    expect(r.body).toEqual({
      provider: 'exotel',
      ok: false,
      error: {
        code: 'ERR_PROVIDER_UNAVAILABLE',
        message: 'exotel verify failed: no response',
        retryable: true,
      },
    });
    await sb.admin('DELETE', 'faults');
  });

  it('answers 404 when the tenant has no credentials for the provider', async () => {
    const empty = await s.createTenant('empty');
    for (const provider of PROVIDERS) {
      const r = await s.request('POST', `/v1/tenants/${empty}/credentials/${provider}/verify`, {
        token: s.rootToken,
      });
      expect(r.status).toBe(404);
      expect((r.json as { error: { code: string } }).error.code).toBe('ERR_NOT_FOUND');
    }
    const unknown = await verify('plivo');
    expect(unknown.status).toBe(400);
    // Scope and tenant isolation: a token without credentials:read, and another tenant's token.
    const weak = await s.mintToken(tenant, ['audit:read']);
    expect((await verify('twilio', tenant, weak)).status).toBe(403);
    const foreign = await s.mintToken(empty, SCOPES);
    expect((await verify('twilio', tenant, foreign)).status).toBe(404);
  });

  it('refuses to store an Exotel subdomain outside the allow-list, so none can be verified', async () => {
    const t = await s.createTenant('exotel-ssrf');
    const valid = validFromSeed(sb).exotel;
    for (const subdomain of [
      'evil.example.com',
      'api.exotel.com.evil.com',
      '127.0.0.1',
      `${new URL(sb.url).host}`,
      'https://api.in.exotel.com',
      'api.in',
    ]) {
      const r = await put('exotel', { ...valid, subdomain }, t, s.rootToken);
      expect(r.status, subdomain).toBe(400);
      expect((r.json as { error: { code: string; message: string } }).error).toMatchObject({
        code: 'ERR_VALIDATION',
        message: expect.stringContaining('subdomain') as unknown,
      });
    }
    const r = await s.request('POST', `/v1/tenants/${t}/credentials/exotel/verify`, {
      token: s.rootToken,
    });
    expect(r.status).toBe(404);
  });

  it('audits each use with its operation and each outcome, never a value', async () => {
    const page = await s.request('GET', `/v1/tenants/${tenant}/audit?limit=500`, { token });
    const events = (page.json as AuditPage).events;
    const uses = events.filter((e) => e.action === 'credential.use');
    const outcomes = events.filter((e) => e.action === 'credential.verify');
    expect(uses.length).toBeGreaterThanOrEqual(PROVIDERS.length * 3);
    for (const e of uses) expect(e.detail).toEqual({ operation: 'credentials.verify' });
    expect(outcomes.length).toBe(uses.length);
    for (const provider of PROVIDERS) {
      const mine = outcomes.filter((e) => e.target === `credential:${provider}`);
      expect(mine.some((e) => e.outcome === 'success')).toBe(true);
      expect(mine).toContainEqual(
        expect.objectContaining({
          outcome: 'failure',
          detail: {
            code: 'ERR_PROVIDER_CREDENTIALS_INVALID',
            status: 401,
            retryable: false,
            ...(provider === 'sendgrid' ? { sender: 'unknown' } : {}),
          },
        }),
      );
    }
    expect(outcomes.some((e) => e.actor === 'root')).toBe(true);
    expect((await s.server.services.audit.verify()).ok).toBe(true);
  });

  it('puts the verify route in the OpenAPI document with its result schema', async () => {
    const r = await s.request('GET', '/openapi.json');
    const doc = r.json as {
      paths: Record<string, Record<string, { operationId: string; responses: object }>>;
      components: { schemas: Record<string, unknown> };
    };
    const op = doc.paths['/v1/tenants/{tenantId}/credentials/{provider}/verify']?.['post'];
    expect(op?.operationId).toBe('verifyCredentials');
    expect(Object.keys(op?.responses ?? {})).toEqual(
      expect.arrayContaining(['200', '401', '403', '404']),
    );
    expect(doc.components.schemas['CredentialVerifyResult']).toBeDefined();
  });

  it('leaks no secret into any response, log line or audit event', async () => {
    const logs = s.logLines.join('\n');
    const responses = s.bodies.join('\n');
    const audit = JSON.stringify(
      await s.server.database.db.selectFrom('audit_events').selectAll().execute(),
    );
    // The provider calls were logged (trace level): the scan below looks at real lines.
    expect(logs).toContain('"provider call"');
    const secrets = [...seedSecrets(sb), ...wrong];
    expect(secrets.length).toBeGreaterThan(8);
    for (const secret of secrets) {
      for (const needle of [secret, secret.slice(0, -4)]) {
        expect(logs.includes(needle), 'a secret in the logs').toBe(false);
        expect(responses.includes(needle), 'a secret in a response').toBe(false);
        expect(audit.includes(needle), 'a secret in the audit log').toBe(false);
      }
    }
  });
});

describe.each(DIALECTS)('credential verify without a sandbox URL on %s', (dialect) => {
  it('answers ERR_PROVIDER_NOT_CONFIGURED and decrypts nothing', async () => {
    const s = await startTestServer(dialect, { logLevel: 'silent' });
    try {
      const t = await s.createTenant('nowhere');
      const put = await s.request('PUT', `/v1/tenants/${t}/credentials/retell`, {
        token: s.rootToken,
        body: { apiKey: `key_${hex(24)}` },
      });
      expect(put.status).toBe(200);
      const r = await s.request('POST', `/v1/tenants/${t}/credentials/retell/verify`, {
        token: s.rootToken,
      });
      expect(r.status).toBe(200);
      expect(r.json).toEqual({
        provider: 'retell',
        ok: false,
        error: {
          code: 'ERR_PROVIDER_NOT_CONFIGURED',
          message: expect.stringMatching(/^retell .*TELVAULT_SANDBOX_URL/) as unknown,
          retryable: false,
        },
      });
      const page = await s.request('GET', `/v1/tenants/${t}/audit`, { token: s.rootToken });
      const actions = (page.json as AuditPage).events.map((e) => `${e.action} ${e.outcome}`);
      expect(actions).toContain('credential.verify failure');
      expect(actions).not.toContain('credential.use success');
    } finally {
      await s.close();
    }
  });
});
