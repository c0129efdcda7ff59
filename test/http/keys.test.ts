// The tenant keys API through the real server, on SQLite and PostgreSQL: the view of a tenant's
// key versions (what `telvault keys status` shows for it), a rotation started over HTTP and run in
// the server's background (data and blind-index keys), joined by a second request, refused while
// one of the other kind runs, stopped by a shutdown and resumed after a restart; access (root or
// keys:read; rotate root only), and no key material in any answer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMasterKey, unwrapKey, type TenantId } from '../../src/crypto/index.js';
import { DIALECTS, startTestServer, type TestServer } from '../support/server.js';
import { seedTenant, type TenantFixture } from './fixtures.js';

interface KeyVersion {
  version: number;
  state: string;
  rows: number;
  masterKeyId: string;
  masterKeyProvider: string;
}
interface Rotation {
  jobId: string;
  kind: string;
  state: string;
  done: number;
  total: number;
  toVersion: number | null;
  active: boolean;
}
interface Keys {
  tenantId: string;
  dataKeys: KeyVersion[];
  indexKeys: KeyVersion[];
  rotation: Rotation | null;
}

const sum = (ks: KeyVersion[]) => ks.reduce((n, k) => n + k.rows, 0);

describe.each(DIALECTS)('tenant keys API on %s', (dialect) => {
  let s: TestServer;
  let a: TenantFixture;
  let b: TenantFixture;
  let reader: string;

  const keysOf = async (tenantId: string, token = s.rootToken) => {
    const r = await s.request('GET', `/v1/tenants/${tenantId}/keys`, { token });
    expect(r.status, r.text).toBe(200);
    return r.json as Keys;
  };
  const rotate = (tenantId: string, body?: unknown, token = s.rootToken) =>
    s.request('POST', `/v1/tenants/${tenantId}/keys/rotate`, { token, body });

  beforeAll(async () => {
    s = await startTestServer(dialect, { logLevel: 'warn' });
    a = await seedTenant(s, 'alpha');
    b = await seedTenant(s, 'bravo');
    reader = await s.mintToken(a.tenantId, ['keys:read']);
  });
  afterAll(async () => {
    await s?.close();
  });

  it("shows a new tenant's first data and index keys with their rows, and no rotation", async () => {
    const k = await keysOf(a.tenantId, reader);
    expect(k.tenantId).toBe(a.tenantId);
    expect(k.dataKeys.map((v) => [v.version, v.state])).toEqual([[1, 'primary']]);
    expect(k.indexKeys.map((v) => [v.version, v.state])).toEqual([[1, 'primary']]);
    // Four providers' credentials, a secret and a phone are sealed; the phone is blind-indexed.
    expect(k.dataKeys[0]?.rows).toBeGreaterThanOrEqual(6);
    expect(k.indexKeys[0]?.rows).toBe(1);
    expect(k.dataKeys[0]?.masterKeyId).toMatch(/^mk_[0-9a-f]{16}$/);
    expect(k.dataKeys[0]?.masterKeyProvider).toBe('local');
    expect(k.rotation).toBeNull();
    // The root token sees the same.
    expect(await keysOf(a.tenantId)).toEqual(k);
  });

  it('refuses no token (401), a missing scope (403), another tenant (404), rotate to a tenant token (403)', async () => {
    const none = await s.request('GET', `/v1/tenants/${a.tenantId}/keys`);
    expect(none.status).toBe(401);
    const weak = await s.mintToken(a.tenantId, ['audit:read', 'trunks:manage']);
    const forbidden = await s.request('GET', `/v1/tenants/${a.tenantId}/keys`, { token: weak });
    expect(forbidden.status).toBe(403);
    expect(forbidden.text).toContain('keys:read');
    const readerB = await s.mintToken(b.tenantId, ['keys:read']);
    const cross = await s.request('GET', `/v1/tenants/${a.tenantId}/keys`, { token: readerB });
    expect(cross.status).toBe(404);
    expect(cross.text).not.toContain(a.tenantId);
    expect((await rotate(a.tenantId, undefined, readerB)).status).toBe(404);
    const own = await rotate(a.tenantId, undefined, reader);
    expect(own.status).toBe(403);
    expect((own.json as { error: { code: string } }).error.code).toBe('ERR_AUTH_FORBIDDEN');
    const unknown = await s.request(
      'GET',
      '/v1/tenants/00000000-0000-7000-8000-000000000000/keys',
      {
        token: s.rootToken,
      },
    );
    expect(unknown.status).toBe(404);
  });

  it('refuses a rotate body with another kind, naming the field', async () => {
    const r = await rotate(a.tenantId, { kind: 'both' });
    expect(r.status).toBe(400);
    expect((r.json as { error: { message: string } }).error.message).toContain(
      'kind: must be data or index',
    );
    expect((await rotate(a.tenantId, { kind: 'data', extra: 1 })).status).toBe(400);
    expect((await keysOf(a.tenantId)).rotation).toBeNull();
  });

  it('rotates the data key in the background: 202, joined by a second request, progress, v1 retired', async () => {
    const before = await keysOf(a.tenantId);
    const first = await rotate(a.tenantId);
    expect(first.status, first.text).toBe(202);
    const r = first.json as Rotation;
    expect(r).toMatchObject({ kind: 'data', toVersion: 2, done: 0 });
    expect(['pending', 'running']).toContain(r.state);
    // While it runs (it first waits for every node to see the new key): the same job, not a second.
    const again = await rotate(a.tenantId, {});
    expect(again.status).toBe(202);
    expect((again.json as Rotation).jobId).toBe(r.jobId);
    const during = await keysOf(a.tenantId, reader);
    expect(during.rotation?.jobId).toBe(r.jobId);
    expect(during.dataKeys.map((v) => [v.version, v.state])).toEqual([
      [1, 'decrypt-only'],
      [2, 'primary'],
    ]);
    // An index rotation meanwhile is refused, naming the running one.
    const other = await rotate(a.tenantId, { kind: 'index' });
    expect(other.status).toBe(409);
    expect((other.json as { error: { code: string; message: string } }).error).toMatchObject({
      code: 'ERR_KEYS_ROTATION_RUNNING',
    });
    expect(other.text).toContain(r.jobId);

    await s.server.services.keyRotations.drain();
    const after = await keysOf(a.tenantId, reader);
    expect(after.rotation).toBeNull();
    expect(after.dataKeys.map((v) => [v.version, v.state, v.rows])).toEqual([
      [1, 'retired', 0],
      [2, 'primary', sum(before.dataKeys)],
    ]);
    // The rows open under the new key: the phone reads back in full for its tenant.
    const phones = await s.mintToken(a.tenantId, ['phones:read']);
    const phone = await s.request('GET', `/v1/tenants/${a.tenantId}/phones/${a.phoneId}`, {
      token: phones,
    });
    expect(phone.status, phone.text).toBe(200);
    expect(phone.text).toContain(a.phoneNumber);
    // The job, as the jobs route shows it (the same table as the trunk's jobs).
    const trunks = await s.mintToken(a.tenantId, ['trunks:manage']);
    const job = await s.request('GET', `/v1/tenants/${a.tenantId}/jobs/${r.jobId}`, {
      token: trunks,
    });
    expect(job.status, job.text).toBe(200);
    expect(job.json).toMatchObject({
      id: r.jobId,
      kind: 'rotate-tenant-data-key',
      state: 'done',
      progress: { done: sum(before.dataKeys), total: sum(before.dataKeys) },
      result: null,
    });
    // Audited at start and end, as the CLI's rotation is.
    const audit = await s.request('GET', `/v1/tenants/${a.tenantId}/audit?limit=500`, {
      token: s.rootToken,
    });
    const actions = (audit.json as { events: { action: string; detail: unknown }[] }).events;
    expect(actions.filter((e) => e.action === 'keys.rotate-tenant.start')).toHaveLength(1);
    const end = actions.find((e) => e.action === 'keys.rotate-tenant');
    expect(end?.detail).toMatchObject({ jobId: r.jobId, toVersion: 2, outcome: 'done' });
  });

  it('rotates the blind-index key: lookups find the phone under the new index key', async () => {
    const r = await rotate(a.tenantId, { kind: 'index' });
    expect(r.status, r.text).toBe(202);
    expect(r.json).toMatchObject({ kind: 'index', toVersion: 2 });
    await s.server.services.keyRotations.drain();
    const k = await keysOf(a.tenantId);
    expect(k.indexKeys.map((v) => [v.version, v.state, v.rows])).toEqual([
      [1, 'retired', 0],
      [2, 'primary', 1],
    ]);
    const phones = await s.mintToken(a.tenantId, ['phones:read']);
    const found = await s.request('POST', `/v1/tenants/${a.tenantId}/phones/lookup`, {
      token: phones,
      body: { number: a.phoneNumber },
    });
    expect(found.status, found.text).toBe(200);
    expect((found.json as { id: string }).id).toBe(a.phoneId);
  });

  it('never answers key material: no wrapped or unwrapped key of any version in any response', async () => {
    // Its own calls (the test must hold when run alone), then every body this server answered.
    await keysOf(a.tenantId);
    await keysOf(a.tenantId, reader);
    await keysOf(b.tenantId);
    expect((await rotate(b.tenantId)).status).toBe(202);
    await keysOf(b.tenantId);
    await s.server.services.keyRotations.drain();
    await keysOf(b.tenantId);
    const db = s.server.database.db;
    const rows = await db.selectFrom('tenant_keys').selectAll().execute();
    const master = parseMasterKey(s.masterKey.reveal());
    const canaries: string[] = [];
    for (const row of rows) {
      canaries.push(row.wrapped);
      if (row.tenant_id === null) continue;
      const material = Buffer.from(
        unwrapKey([master], row.wrapped, {
          tenantId: row.tenant_id as TenantId,
          purpose: row.kind,
          version: row.version,
        }),
      );
      canaries.push(material.toString('hex'), material.toString('base64'));
      canaries.push(material.toString('base64url'));
    }
    expect(canaries.length).toBeGreaterThan(8);
    const all = s.bodies.join('\n');
    for (const c of canaries) expect(all).not.toContain(c);
    expect(all).not.toContain(s.masterKey.reveal());
  });
});

describe.each(DIALECTS)('a key rotation stopped by a shutdown, on %s', (dialect) => {
  it('leaves the job resumable: after a restart, GET shows it stopped and POST resumes and finishes it', async () => {
    let s = await startTestServer(dialect, { logLevel: 'warn' });
    const { tenantId } = await seedTenant(s, 'gamma');
    try {
      const started = await s.request('POST', `/v1/tenants/${tenantId}/keys/rotate`, {
        token: s.rootToken,
      });
      expect(started.status).toBe(202);
      const jobId = (started.json as Rotation).jobId;
      // The run is still waiting for the new key to reach every node: stop the server now.
      await s.server.close();
      s = await startTestServer(dialect, { logLevel: 'warn', reuse: s });
      const stopped = (
        await s.request('GET', `/v1/tenants/${tenantId}/keys`, { token: s.rootToken })
      ).json as Keys;
      expect(stopped.rotation).toMatchObject({ jobId, active: false });
      expect(['pending', 'running']).toContain(stopped.rotation?.state);
      const resumed = await s.request('POST', `/v1/tenants/${tenantId}/keys/rotate`, {
        token: s.rootToken,
      });
      expect(resumed.status).toBe(202);
      expect((resumed.json as Rotation).jobId).toBe(jobId);
      await s.server.services.keyRotations.drain();
      const done = (await s.request('GET', `/v1/tenants/${tenantId}/keys`, { token: s.rootToken }))
        .json as Keys;
      expect(done.rotation).toBeNull();
      expect(done.dataKeys.map((v) => [v.version, v.state])).toEqual([
        [1, 'retired'],
        [2, 'primary'],
      ]);
    } finally {
      await s.close();
    }
  });
});
