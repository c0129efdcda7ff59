// Names and labels refuse the Unicode bidirectional controls (U+202A–U+202E, U+2066–U+2069): each
// display field, through the API and the CLI, answers 400 naming the field and the rule, and
// nothing is written. Right-to-left text itself (Hebrew, Arabic) is still a fine name.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCliWithEnv } from '../support/cli.js';
import { DIALECTS, startTestServer, type TestServer } from '../support/server.js';

const CONTROLS = [
  '\u202a',
  '\u202b',
  '\u202c',
  '\u202d',
  '\u202e',
  '\u2066',
  '\u2067',
  '\u2068',
  '\u2069',
];
const RULE = 'must not contain bidirectional control characters';

describe.each(DIALECTS)('display names on %s', (dialect) => {
  let s: TestServer;
  let tenantId = '';
  let phoneId = '';
  let token = '';
  beforeAll(async () => {
    s = await startTestServer(dialect, { logLevel: 'warn' });
    tenantId = await s.createTenant('names');
    token = await s.mintToken(tenantId, ['phones:write', 'phones:read', 'tokens:manage']);
    const p = await s.request('POST', `/v1/tenants/${tenantId}/phones`, {
      token,
      body: { number: '+14155550142', provider: 'twilio', label: 'front desk' },
    });
    expect(p.status, p.text).toBe(201);
    phoneId = (p.json as { id: string }).id;
  });
  afterAll(() => s.close());

  it.each(CONTROLS.map((c) => [c.codePointAt(0)?.toString(16) ?? '', c]))(
    'U+%s is refused in every name and label, and nothing changes',
    async (_, c) => {
      const spoof = `safe${c}gnp.exe`;
      const before = await s.request('GET', '/v1/tenants', { token: s.rootToken });
      const writes: [string, string, string, unknown, string][] = [
        ['POST', '/v1/tenants', s.rootToken, { name: spoof }, 'name'],
        [
          'POST',
          `/v1/tenants/${tenantId}/tokens`,
          token,
          { name: spoof, scopes: ['phones:read'] },
          'name',
        ],
        [
          'POST',
          `/v1/tenants/${tenantId}/phones`,
          token,
          { number: '+14155550143', provider: 'twilio', label: spoof },
          'label',
        ],
        ['PATCH', `/v1/tenants/${tenantId}/phones/${phoneId}`, token, { label: spoof }, 'label'],
        [
          'POST',
          `/v1/tenants/${tenantId}/phones/purchase`,
          s.rootToken,
          { areaCode: '415', label: spoof },
          'label',
        ],
        [
          'POST',
          `/v1/tenants/${tenantId}/phones/purchase`,
          s.rootToken,
          { areaCode: '415', retell: { nickname: spoof } },
          'retell.nickname',
        ],
      ];
      for (const [method, path, as, body, field] of writes) {
        const r = await s.request(method, path, {
          token: as,
          body,
          headers: { 'idempotency-key': `names-${c.codePointAt(0)}` },
        });
        expect(r.status, `${method} ${path}: ${r.text}`).toBe(400);
        const e = (r.json as { error: { code: string; message: string } }).error;
        expect(e.code).toBe('ERR_VALIDATION');
        expect(e.message).toContain(`${field}: ${RULE}`);
        expect(e.message).not.toContain(c);
      }
      expect((await s.request('GET', '/v1/tenants', { token: s.rootToken })).text).toBe(
        before.text,
      );
      const phone = await s.request('GET', `/v1/tenants/${tenantId}/phones/${phoneId}`, { token });
      expect((phone.json as { label: string }).label).toBe('front desk');
      const tokens = await s.request('GET', `/v1/tenants/${tenantId}/tokens`, { token });
      expect(tokens.text).not.toContain(c);
    },
  );

  it('right-to-left names are fine', async () => {
    for (const name of ['שלום עולם', 'مرحبا بالعالم']) {
      const r = await s.request('POST', '/v1/tenants', { token: s.rootToken, body: { name } });
      expect(r.status, r.text).toBe(201);
      expect((r.json as { name: string }).name).toBe(name);
    }
  });

  it('telvault tenant create refuses them too', async () => {
    const env = {
      TELVAULT_DATA_DIR: s.dataDir,
      TELVAULT_MASTER_KEY: s.masterKey.reveal(),
      ...(s.databaseUrl === undefined ? {} : { TELVAULT_DATABASE_URL: s.databaseUrl }),
    };
    const r = await runCliWithEnv(['tenant', 'create', 'safe\u202egnp.exe'], env);
    vi.unstubAllEnvs();
    expect(r.code).toBe(1);
    expect(r.err).toContain(`name: ${RULE}`);
  });
});
