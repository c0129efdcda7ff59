// A retried rotation does not rotate again: `POST …/keys/rotate` with an Idempotency-Key answers the
// same rotation for the same key, while it runs and once it has finished, and starts nothing; a
// new key starts a new rotation; the same key with the other kind is 422. Through the real server,
// on SQLite and PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, startTestServer, type HttpResult, type TestServer } from '../support/server.js';
import { seedTenant } from './fixtures.js';

interface Rotation {
  jobId: string;
  kind: string;
  state: string;
  toVersion: number | null;
}
interface KeyVersion {
  version: number;
  state: string;
}

describe.each(DIALECTS)('a key rotation retried with an Idempotency-Key, on %s', (dialect) => {
  let s: TestServer;
  let tenantId = '';

  const rotate = (key: string | undefined, body?: unknown): Promise<HttpResult> =>
    s.request('POST', `/v1/tenants/${tenantId}/keys/rotate`, {
      token: s.rootToken,
      body,
      headers: key === undefined ? {} : { 'idempotency-key': key },
    });
  const dataVersions = async (): Promise<[number, string][]> => {
    const r = await s.request('GET', `/v1/tenants/${tenantId}/keys`, { token: s.rootToken });
    expect(r.status, r.text).toBe(200);
    return (r.json as { dataKeys: KeyVersion[] }).dataKeys.map((k) => [k.version, k.state]);
  };
  const rotationStarts = async (): Promise<number> => {
    const audit = await s.request('GET', `/v1/tenants/${tenantId}/audit?limit=500`, {
      token: s.rootToken,
    });
    const events = (audit.json as { events: { action: string }[] }).events;
    return events.filter((e) => e.action === 'keys.rotate-tenant.start').length;
  };

  beforeAll(async () => {
    s = await startTestServer(dialect, { logLevel: 'warn' });
    tenantId = (await seedTenant(s, 'retried')).tenantId;
  });
  afterAll(async () => {
    await s?.close();
  });

  it('answers the same rotation for the same key, running or finished, and rotates once', async () => {
    const first = await rotate('resume-1');
    expect(first.status, first.text).toBe(202);
    const job = first.json as Rotation;
    expect(job).toMatchObject({ kind: 'data', toVersion: 2 });
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    // While it runs: the same job, replayed.
    const during = await rotate('resume-1');
    expect(during.status, during.text).toBe(202);
    expect((during.json as Rotation).jobId).toBe(job.jobId);
    expect(during.headers.get('idempotent-replayed')).toBe('true');

    await s.server.services.keyRotations.drain();
    // Once it has finished, a client retrying "resume" in a loop starts nothing: the same job,
    // as it is now (done).
    for (let i = 0; i < 5; i++) {
      const again = await rotate('resume-1', { kind: 'data' });
      expect(again.status, again.text).toBe(202);
      expect(again.json).toMatchObject({ jobId: job.jobId, kind: 'data', state: 'done' });
      expect(again.headers.get('idempotent-replayed')).toBe('true');
    }
    await s.server.services.keyRotations.drain();
    expect(await dataVersions()).toEqual([
      [1, 'retired'],
      [2, 'primary'],
    ]);
    expect(await rotationStarts()).toBe(1);
  });

  it('refuses the same key with the other kind (422), and a new key is a new rotation', async () => {
    const other = await rotate('resume-1', { kind: 'index' });
    expect(other.status, other.text).toBe(422);
    expect((other.json as { error: { code: string } }).error.code).toBe(
      'ERR_IDEMPOTENCY_KEY_REUSED',
    );
    const fresh = await rotate('resume-2');
    expect(fresh.status, fresh.text).toBe(202);
    expect(fresh.json).toMatchObject({ kind: 'data', toVersion: 3 });
    expect(fresh.headers.get('idempotent-replayed')).toBeNull();
    await s.server.services.keyRotations.drain();
    expect((await rotate('resume-2')).json).toMatchObject({ toVersion: 3, state: 'done' });
    await s.server.services.keyRotations.drain();
    expect((await dataVersions()).map(([v]) => v)).toEqual([1, 2, 3]);
    expect(await rotationStarts()).toBe(2);
  });

  it('refuses an Idempotency-Key that breaks the rule, naming the header, and starts nothing', async () => {
    const r = await rotate('k'.repeat(256));
    expect(r.status, r.text).toBe(400);
    expect((r.json as { error: { code: string; message: string } }).error).toMatchObject({
      code: 'ERR_VALIDATION',
      message: 'Idempotency-Key: must be 1 to 255 printable ASCII characters',
    });
    expect(await rotationStarts()).toBe(2);
  });
});
