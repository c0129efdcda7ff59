// No SIP password anywhere it must not be: an adopted canary password and telvault's own
// generated ones (before and after a rotation) never appear in a response, a log line (trace
// level), an audit row, the sandbox's recorded answers or the raw bytes of the SQLite file.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TestSandbox } from '../support/sandbox.js';
import type { TestServer } from '../support/server.js';
import {
  foreignTrunk,
  heldPassword,
  numbersOnTrunk,
  trunkTenant,
  useTrunkStack,
  viewOf,
  withRetell,
} from './support.js';

describe('SIP passwords never leak', () => {
  const stack = useTrunkStack('sqlite', { logLevel: 'trace' });
  let sb: TestSandbox;
  let s: TestServer;
  beforeAll(() => ({ sb, s } = stack));

  it('in responses, logs, audit rows, provider answers or database bytes', async () => {
    const passwords: string[] = [];
    // Adopted: the platform's canary password.
    const a = await trunkTenant(s, sb, 'adopted');
    const f = await foreignTrunk(sb, a.account);
    const canary = f.credentials[0]?.password ?? '';
    passwords.push(canary);
    const adopted = await s.request('PUT', `/v1/tenants/${a.tenantId}/trunk`, {
      token: a.token,
      body: { adopt: { trunkSid: f.trunkSid, password: canary } },
    });
    expect(adopted.status, adopted.text).toBe(200);
    // telvault's own, through setup, live check, repair, purchase and rotation.
    const t = await trunkTenant(s, sb, 'own');
    const key = await withRetell(s, sb, t.tenantId, t.token);
    const v = viewOf(
      await s.request('PUT', `/v1/tenants/${t.tenantId}/trunk`, { token: t.token, body: {} }),
    );
    passwords.push((await heldPassword(s, t.tenantId)).reveal());
    await s.request('GET', `/v1/tenants/${t.tenantId}/trunk?check=live`, { token: t.token });
    await numbersOnTrunk(
      sb,
      t.account,
      key,
      { trunkSid: v.trunkSid ?? '', domainName: v.domainName ?? '' },
      2,
    );
    await s.request('POST', `/v1/tenants/${t.tenantId}/trunk/repair?wait=true`, {
      token: t.token,
      body: {},
    });
    const bought = await s.request('POST', `/v1/tenants/${t.tenantId}/phones/purchase`, {
      token: t.token,
      body: { areaCode: '415' },
      headers: { 'idempotency-key': 'canary' },
    });
    expect(bought.status, bought.text).toBe(201);
    const rotated = await s.request(
      'POST',
      `/v1/tenants/${t.tenantId}/trunk/rotate-password?wait=true`,
      {
        token: t.token,
      },
    );
    expect(rotated.status, rotated.text).toBe(200);
    passwords.push((await heldPassword(s, t.tenantId)).reveal());
    await s.request('GET', `/v1/tenants/${t.tenantId}/trunk`, { token: t.token });

    const audit = JSON.stringify(
      await s.server.database.db.selectFrom('audit_events').selectAll().execute(),
    );
    const answers = sb.context.exchanges.entries
      .map((e) => JSON.stringify(e.responseBody ?? ''))
      .join('\n');
    let raw = '';
    for (const file of ['telvault.db', 'telvault.db-wal']) {
      const p = join(s.dataDir, file);
      if (existsSync(p)) raw += readFileSync(p).toString('latin1');
    }
    expect(s.logLines.length).toBeGreaterThan(20);
    for (const p of passwords) {
      expect(p.length).toBeGreaterThanOrEqual(12);
      for (const body of s.bodies) expect(body).not.toContain(p);
      for (const line of s.logLines) expect(line).not.toContain(p);
      expect(audit).not.toContain(p);
      expect(answers).not.toContain(p);
      expect(raw).not.toContain(p);
    }
  });
});
