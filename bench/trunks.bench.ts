// Trunk setup against the in-process sandbox (SQLite): provider calls (reads, writes) by route family
// (the credential-list step's read of the trunk's lists counts under association) and
// wall time, for a fresh setup and for a re-run on a ready trunk; then 100 tenants set up in a row.
// Baseline, measured in the same run: a client making only the five creates with the official
// twilio SDK (trunk, list, credential, association, origination URL), no reads, no records: the
// least a correct first run could do, and nothing it could resume from.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createServices } from '../src/app/services.js';
import { parseMasterKey, type TenantId } from '../src/crypto/index.js';
import { createTwilioClient } from '../src/providers/twilio/index.js';
import { createSandboxApp } from '../src/sandbox/sandbox-app.js';
import { parseCredentialInput } from '../src/services/credentials/providers.js';
import { createKeyService } from '../src/services/keys/key-service.js';
import { openDatabase } from '../src/store/database.js';
import type { BenchModule } from './harness.js';

const TENANTS = Number(process.env['BENCH_TRUNK_TENANTS'] ?? 100);
const ACTOR = { kind: 'system', name: 'bench' } as const;

const STEP_OF: [RegExp, string][] = [
  [/OriginationUrls/, 'origination'],
  [/Trunks\/:TrunkSid\/CredentialLists|Trunks\/:\w+\/CredentialLists/, 'association'],
  [/Credentials/, 'credential'],
  [/SIP\/CredentialLists/, 'credentialList'],
  [/Trunks/, 'trunk'],
];

function byStep(counters: Map<string, number>): Map<string, { reads: number; writes: number }> {
  const out = new Map<string, { reads: number; writes: number }>();
  for (const [key, n] of counters) {
    const [method, route = ''] = key.split(' ');
    if (!route.startsWith('/twilio')) continue;
    const step = STEP_OF.find(([re]) => re.test(route))?.[1] ?? 'other';
    const e = out.get(step) ?? { reads: 0, writes: 0 };
    if (method === 'GET') e.reads += n;
    else e.writes += n;
    out.set(step, e);
  }
  return out;
}

function table(title: string, m: Map<string, { reads: number; writes: number }>, ms: number) {
  let reads = 0;
  let writes = 0;
  console.log(`${title} (${ms.toFixed(1)} ms)`);
  for (const step of ['trunk', 'credentialList', 'credential', 'association', 'origination']) {
    const e = m.get(step) ?? { reads: 0, writes: 0 };
    reads += e.reads;
    writes += e.writes;
    console.log(`  ${step.padEnd(15)} reads ${String(e.reads).padStart(2)}  writes ${e.writes}`);
  }
  console.log(`  ${'total'.padEnd(15)} reads ${String(reads).padStart(2)}  writes ${writes}`);
}

async function run(): Promise<void> {
  const { app, context } = createSandboxApp({ admin: true });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const url =
    typeof address === 'object' && address !== null ? `http://127.0.0.1:${address.port}` : '';
  const dataDir = mkdtempSync(join(tmpdir(), 'tv-bench-trunks-'));
  const opened = await openDatabase({ dataDir, databaseUrl: undefined });
  try {
    const keys = createKeyService({
      db: opened.db,
      masterKeys: { current: parseMasterKey(randomBytes(32).toString('base64')) },
    });
    await keys.ensureSystemKey();
    const services = createServices({
      db: opened.db,
      dialect: 'sqlite',
      keys,
      rootTokenHash: undefined,
      providers: { mode: 'sandbox', sandboxUrl: url },
    });
    await services.audit.start();
    const account = () => {
      const authToken = randomBytes(16).toString('hex');
      const a = context.twilio.addAccount({ authToken });
      return { sid: a.sid, authToken };
    };
    const tenant = async (): Promise<TenantId> => {
      const t = (await services.tenants.create('bench', ACTOR)).id;
      const a = account();
      await services.credentials.put(
        t,
        'twilio',
        parseCredentialInput('twilio', { accountSid: a.sid, authToken: a.authToken }),
        ACTOR,
      );
      return t;
    };

    const t = await tenant();
    context.counters.clear();
    let start = performance.now();
    await services.trunks.setup(t, {}, ACTOR);
    table('fresh setup', byStep(context.counters), performance.now() - start);
    context.counters.clear();
    start = performance.now();
    await services.trunks.setup(t, {}, ACTOR);
    table('re-run on a ready trunk', byStep(context.counters), performance.now() - start);

    const tenants: TenantId[] = [];
    for (let i = 0; i < TENANTS; i++) tenants.push(await tenant());
    start = performance.now();
    for (const id of tenants) await services.trunks.setup(id, {}, ACTOR);
    const vaultMs = performance.now() - start;

    const direct = Array.from({ length: TENANTS }, account);
    start = performance.now();
    for (const a of direct) {
      const c = createTwilioClient(
        { accountSid: a.sid, authToken: a.authToken },
        { mode: 'sandbox', sandboxUrl: url },
      );
      const trunk = await c.sdk.trunking.v1.trunks.create({
        domainName: `d-${randomBytes(6).toString('hex')}.pstn.twilio.com`,
      });
      const list = await c.sdk.api.v2010
        .accounts(a.sid)
        .sip.credentialLists.create({ friendlyName: 'x' });
      await c.sdk.api.v2010
        .accounts(a.sid)
        .sip.credentialLists(list.sid)
        .credentials.create({ username: 'user', password: 'Abcdefgh12345678' });
      await c.sdk.trunking.v1
        .trunks(trunk.sid)
        .credentialsLists.create({ credentialListSid: list.sid });
      await c.sdk.trunking.v1.trunks(trunk.sid).originationUrls.create({
        friendlyName: 'r',
        sipUrl: 'sip:sip.retellai.com',
        weight: 1,
        priority: 1,
        enabled: true,
      });
    }
    const directMs = performance.now() - start;
    console.log(
      `${TENANTS} tenants in a row: telvault ${vaultMs.toFixed(0)} ms (${(vaultMs / TENANTS).toFixed(1)} ms/tenant), ` +
        `direct SDK creates ${directMs.toFixed(0)} ms (${(directMs / TENANTS).toFixed(1)} ms/tenant), ratio ${(vaultMs / directMs).toFixed(2)}`,
    );
  } finally {
    await opened.close();
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export const trunkBench: BenchModule = { name: 'trunks', run };
