// What the migrate tests share: a SQLite deployment holding every kind of record, made through the
// real server against the sandbox (tenants, tokens, credentials of every provider, named secrets,
// phones with their own Exotel accounts, a trunk with bought numbers and its jobs, calls, messages,
// emails, Idempotency-Key entries, settings, the platform's credentials and a tenant's
// sub-account, an import's records, a tenant data-key and index-key rotation, and the audit of all
// of it); `telvault migrate` run in-process or as a child process; and each table's keyed digest.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import { parseMasterKey } from '../../src/crypto/index.js';
import { rotateMasterKey } from '../../src/services/keys/index.js';
import { SCOPES } from '../../src/services/tokens/scopes.js';
import { openDatabase, type Database } from '../../src/store/database.js';
import { COPY_TABLES } from '../../src/store/table-copy.js';
import { digestTable } from '../../src/store/table-digest.js';
import { runCliWithEnv } from '../support/cli.js';
import type { TestSandbox } from '../support/sandbox.js';
import type { HttpResult, TestServer } from '../support/server.js';
import { Secret } from '../../src/crypto/index.js';
import { commsTenant, indianMobile } from '../comms/support.js';
import { seedTenant } from '../http/fixtures.js';
import { example, runImport } from '../import/support.js';
import { trunkTenant, withRetell } from '../trunks/support.js';

export interface DeploymentTenant {
  tenantId: string;
  /** A token of the tenant with every scope (made before the copy, so both sides hold it). */
  token: string;
}

async function ok(r: Promise<HttpResult>, status = 200): Promise<HttpResult> {
  const res = await r;
  expect(res.status, res.text).toBe(status);
  return res;
}

const idem = (key: string) => ({ 'idempotency-key': key });

/** Every kind of record, through the API (and `telvault import`), on the server's database. */
export async function buildDeployment(s: TestServer, sb: TestSandbox): Promise<DeploymentTenant[]> {
  const root = s.rootToken;
  const tenants: string[] = [];

  // The platform's own Twilio account, and a tenant's sub-account under it.
  const parent = (await sb.admin('POST', 'twilio/accounts', { friendlyName: 'platform' })).body as {
    sid: string;
    authToken: string;
  };
  await ok(
    s.request('PUT', '/v1/platform/credentials/twilio', {
      token: root,
      body: { accountSid: parent.sid, authToken: parent.authToken },
    }),
  );
  const sub = await s.createTenant('subaccount');
  await ok(s.request('POST', `/v1/tenants/${sub}/twilio/subaccount`, { token: root }));
  tenants.push(sub);

  // Credentials of every provider, a named secret, a token, a phone with its own Exotel account.
  const alpha = await seedTenant(s, 'alpha');
  tenants.push(alpha.tenantId);
  await ok(
    s.request('PATCH', `/v1/tenants/${alpha.tenantId}/settings`, {
      token: root,
      body: { defaultCountry: 'AU' },
    }),
  );
  await ok(
    s.request('DELETE', `/v1/tenants/${alpha.tenantId}/tokens/${alpha.tokenId}`, { token: root }),
    204,
  );

  // Calls, SMS and email with Idempotency-Keys, from phones on Exotel and Twilio.
  const comms = await commsTenant(s, sb);
  tenants.push(comms.tenantId);
  const send = (what: string, body: unknown, key: string) =>
    ok(
      s.request('POST', `/v1/tenants/${comms.tenantId}/${what}`, {
        token: comms.token,
        body,
        headers: idem(key),
      }),
      201,
    );
  await send('calls', { fromPhoneId: comms.phones.exotel, to: indianMobile() }, 'call-1');
  await send('messages', { to: '+14155550160', body: 'hello from the migrate test' }, 'sms-1');
  await send('emails', { to: ['ana@example.org'], subject: 'Hi', text: 'body' }, 'email-1');

  // A trunk with numbers bought onto it, its password rotated and its numbers repaired (jobs).
  const trunk = await trunkTenant(s, sb);
  tenants.push(trunk.tenantId);
  await withRetell(s, sb, trunk.tenantId, trunk.token);
  const tpath = `/v1/tenants/${trunk.tenantId}`;
  await ok(s.request('PUT', `${tpath}/trunk`, { token: trunk.token, body: {} }));
  for (const [i, areaCode] of ['415', '212'].entries()) {
    await ok(
      s.request('POST', `${tpath}/phones/purchase`, {
        token: trunk.token,
        body: { areaCode, label: `line ${i}` },
        headers: idem(`buy-${i}`),
      }),
      201,
    );
  }
  await ok(s.request('POST', `${tpath}/trunk/rotate-password?wait=true`, { token: trunk.token }));
  await ok(s.request('POST', `${tpath}/trunk/repair?wait=true`, { token: trunk.token, body: {} }));

  // Key versions: alpha's data key and index key rotated (resumable jobs run by the server).
  for (const kind of ['data', 'index']) {
    await ok(
      s.request('POST', `/v1/tenants/${alpha.tenantId}/keys/rotate`, {
        token: root,
        body: { kind },
      }),
      202,
    );
    await s.server.services.keyRotations.drain();
  }

  // An import's tenants, phones and import records.
  const imported = await runImport(s, ['--mapping', example('exotel-phones.json')]);
  expect(imported.code, imported.err).toBe(0);

  const all = (
    (await ok(s.request('GET', '/v1/tenants?limit=100', { token: root }))).json as {
      tenants: { id: string }[];
    }
  ).tenants.map((t) => t.id);
  const out: DeploymentTenant[] = [];
  for (const tenantId of all) out.push({ tenantId, token: await s.mintToken(tenantId, SCOPES) });
  return out;
}

/**
 * A master-key rotation on the (stopped) deployment's database: every key rewrapped under a new
 * master key, the old one retired. Returns the new key (base64), the only one needed from then on.
 */
export async function rotateMasterKeyOffline(s: TestServer): Promise<Secret<string>> {
  const next = randomBytes(32).toString('base64');
  const opened = await openDatabase({ dataDir: s.dataDir, databaseUrl: s.databaseUrl });
  try {
    const r = await rotateMasterKey({
      db: opened.db,
      masterKeys: { current: parseMasterKey(next), previous: parseMasterKey(s.masterKey.reveal()) },
    });
    expect(r.outcome).toBe('done');
  } finally {
    await opened.close();
  }
  return new Secret(next);
}

/** `telvault migrate` in this process with exactly these TELVAULT_ variables. */
export function migrateInProcess(
  env: Readonly<Record<string, string | undefined>>,
  args: readonly string[],
): ReturnType<typeof runCliWithEnv> {
  return runCliWithEnv(['migrate', ...args], env);
}

export interface ChildRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  out: string;
  err: string;
}

/**
 * `telvault migrate` as its own process (from the sources); `killWhen` is polled while it runs
 * and, once it answers true, the child is SIGKILLed.
 */
export async function migrateChild(
  env: Readonly<Record<string, string>>,
  args: readonly string[],
  killWhen?: () => Promise<boolean>,
): Promise<ChildRun> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'test/support/cli-child.ts', 'migrate', ...args],
    { env: { PATH: process.env['PATH'] ?? '', ...env } },
  );
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  let ended = false;
  void exited.then(() => (ended = true));
  if (killWhen !== undefined) {
    while (!ended && !(await killWhen().catch(() => false))) {
      await new Promise((r) => setTimeout(r, 5));
    }
    if (!ended) child.kill('SIGKILL');
  }
  const { code, signal } = await exited;
  return { code, signal, out, err };
}

/** Each copied table's row count and keyed digest under `key`. */
export async function digestsOf(
  db: Database,
  key: Uint8Array,
): Promise<Record<string, { rows: number; digest: string }>> {
  const out: Record<string, { rows: number; digest: string }> = {};
  for (const spec of COPY_TABLES) out[spec.table] = await digestTable(db, spec, key);
  return out;
}
