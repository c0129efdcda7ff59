// Tenants carry the id the platform knows its customer by: set at creation (API and CLI), shown in
// the tenant view, unique (a second tenant with it is 409 ERR_TENANT_EXTERNAL_ID_TAKEN), checked
// against its rule (400 naming the field, nothing created). SQLite and PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { captureIo, stubTelvaultEnv } from '../support/cli.js';
import { DIALECTS, startTestServer, type TestServer } from '../support/server.js';
import { telvaultEnv } from './support.js';
import { vi } from 'vitest';

describe.each(DIALECTS)('tenant external ids (%s)', (dialect) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer(dialect);
  });
  afterAll(async () => {
    await s?.close();
  });
  const create = (body: unknown) => s.request('POST', '/v1/tenants', { token: s.rootToken, body });
  const count = async () =>
    ((await s.request('GET', '/v1/tenants', { token: s.rootToken })).json as { tenants: unknown[] })
      .tenants.length;

  it('is set at creation, shown in the view and the list, and unique', async () => {
    const r = await create({ name: 'Acme', externalId: '69199436c98895ff97a17e95' });
    expect(r.status, r.text).toBe(201);
    const t = r.json as { id: string; externalId: string };
    expect(t.externalId).toBe('69199436c98895ff97a17e95');
    const got = await s.request('GET', `/v1/tenants/${t.id}`, { token: s.rootToken });
    expect(got.json).toMatchObject({ name: 'Acme', externalId: '69199436c98895ff97a17e95' });
    const plain = await create({ name: 'No external id' });
    expect((plain.json as { externalId: unknown }).externalId).toBeNull();

    const before = await count();
    const dup = await create({ name: 'Acme again', externalId: '69199436c98895ff97a17e95' });
    expect(dup.status).toBe(409);
    expect(dup.json).toMatchObject({ error: { code: 'ERR_TENANT_EXTERNAL_ID_TAKEN' } });
    const bad = await create({ name: 'Bad', externalId: 'has space' });
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({
      error: {
        code: 'ERR_VALIDATION',
        message: expect.stringContaining('externalId: must be 1 to 128') as unknown,
      },
    });
    expect(await count()).toBe(before);
  });

  it('is settable from the CLI and listed', async () => {
    stubTelvaultEnv(telvaultEnv(s));
    const io = captureIo();
    try {
      expect(await runCli(['tenant', 'create', 'Globex', '--external-id', 'globex-7'], io.io)).toBe(
        0,
      );
      expect(await runCli(['tenant', 'list'], io.io)).toBe(0);
    } finally {
      vi.unstubAllEnvs();
    }
    expect(io.out()).toMatch(/\tGlobex\tglobex-7\n/);
    const t = await s.server.services.tenants.findByExternalId('globex-7');
    expect(t?.name).toBe('Globex');
  });
});
