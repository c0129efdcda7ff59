// `telvault scan --check-vault` against the real server, and POST /v1/leak-check's edges: the one
// planted credential that telvault stores is found and named (tenant, provider, field), others
// are not; root only; at most 1,000 candidates; rate-limited; the values never reach a log line,
// a response or the scan's output.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliWithEnv } from '../support/cli.js';
import { DIALECTS, startTestServer, type TestServer } from '../support/server.js';
import { git } from './fixture-repo.js';

const hex = (n: number) => randomBytes(n).toString('hex');

describe.each(DIALECTS)('leak check through the server on %s', (dialect) => {
  let s: TestServer;
  let tenantId: string;
  let dir: string;
  const stored = `f${hex(16).slice(1)}`; // the tenant's live Twilio auth token
  const unknown = `e${hex(16).slice(1)}`; // a token telvault does not hold
  const sendgrid = `SG.${hex(11)}.${hex(22)}`;

  beforeAll(async () => {
    s = await startTestServer(dialect);
    tenantId = await s.createTenant('leaky');
    const put = await s.request('PUT', `/v1/tenants/${tenantId}/credentials/twilio`, {
      token: s.rootToken,
      body: { accountSid: `AC${hex(16)}`, authToken: stored },
    });
    expect(put.status).toBe(200);
    dir = mkdtempSync(join(tmpdir(), 'tv-scan-vault-'));
    git(dir, 'init', '-q', '-b', 'main');
    writeFileSync(
      join(dir, 'live.env.ts'),
      `const sid = 'AC${hex(16)}';\nconst token = '${stored}';\n`,
    );
    writeFileSync(
      join(dir, 'other.ts'),
      `const sid = 'AC${hex(16)}';\nconst token = '${unknown}';\nconst sg = '${sendgrid}';\n`,
    );
  });
  afterAll(async () => {
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('scan --check-vault marks exactly the stored credential, with its tenant and field', async () => {
    const r = await runCliWithEnv(['scan', dir, '--format', 'json', '--check-vault', s.url], {
      TELVAULT_ROOT_TOKEN: s.rootToken,
    });
    expect(r.code).toBe(1);
    const { findings } = JSON.parse(r.out) as {
      findings: { file: string; kind: string; vault?: unknown }[];
    };
    expect(findings.map((f) => [f.file, f.kind, f.vault])).toEqual([
      [
        'live.env.ts',
        'twilio-auth-token',
        [{ tenantId, provider: 'twilio', entity: 'credential', field: 'authToken' }],
      ],
      ['other.ts', 'twilio-auth-token', undefined],
      ['other.ts', 'sendgrid-api-key', undefined],
    ]);
    const text = await runCliWithEnv(['scan', dir, '--check-vault', s.url], {
      TELVAULT_ROOT_TOKEN: s.rootToken,
    });
    expect(text.out).toContain(
      `stored in telvault as tenant ${tenantId}'s twilio authToken: rotate it`,
    );
    // The server logged the requests (info level), and no value is in any line of it.
    expect(s.logLines.some((l) => l.includes('/v1/leak-check'))).toBe(true);
    for (const out of [r.all, text.all, s.logLines.join('\n'), s.bodies.join('\n')]) {
      for (const v of [stored, unknown, sendgrid]) expect(out).not.toContain(v.slice(3, 13));
    }
  });

  it('needs TELVAULT_ROOT_TOKEN (exit 2), and a root token (exit 1, naming the refusal)', async () => {
    const none = await runCliWithEnv(['scan', dir, '--check-vault', s.url], {});
    expect(none.code).toBe(2);
    expect(none.err).toMatch(/--check-vault: set TELVAULT_ROOT_TOKEN/);
    const tenantToken = await s.mintToken(tenantId, ['credentials:read']);
    const wrong = await runCliWithEnv(['scan', dir, '--check-vault', s.url], {
      TELVAULT_ROOT_TOKEN: tenantToken,
    });
    expect(wrong.code).toBe(1);
    expect(wrong.err).toMatch(
      /--check-vault: http:\/\/127\.0\.0\.1:\d+ answered 403 ERR_AUTH_FORBIDDEN/,
    );
  });

  it('refuses more than 1,000 candidates and an over-long one, naming the field', async () => {
    const many = await s.request('POST', '/v1/leak-check', {
      token: s.rootToken,
      body: { candidates: Array.from({ length: 1001 }, (_, i) => `c${i}`) },
    });
    expect(many.status).toBe(400);
    expect(many.json).toMatchObject({ error: { code: 'ERR_VALIDATION' } });
    expect(many.text).toMatch(/candidates.*at most 1000/);
    const long = await s.request('POST', '/v1/leak-check', {
      token: s.rootToken,
      body: { candidates: ['x'.repeat(513)] },
    });
    expect(long.status).toBe(400);
    expect(long.text).toMatch(/candidates.*at most 512 characters/);
  });

  it('is rate-limited (429 with Retry-After)', async () => {
    let last = await s.request('POST', '/v1/leak-check', {
      token: s.rootToken,
      body: { candidates: [hex(10)] },
    });
    for (let i = 0; i < 40 && last.status === 200; i++) {
      last = await s.request('POST', '/v1/leak-check', {
        token: s.rootToken,
        body: { candidates: [hex(10)] },
      });
    }
    expect(last.status).toBe(429);
    expect(last.json).toMatchObject({ error: { code: 'ERR_RATE_LIMITED' } });
    expect(Number(last.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});
