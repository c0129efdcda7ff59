// The cost of vaulting a call: requests per second of POST /v1/tenants/:id/calls through a real
// telvault server (auth, decrypt, limits, record, audit; Twilio SDK to the sandbox) against calling
// the same sandbox route directly with the Twilio SDK, both at 10 in flight, interleaved round by
// round in one process (127.0.0.1 only). Then the outbound limit check alone (three windows, the
// keyed hash, the tenant's policy) on memory, PostgreSQL and Redis at 50 in flight, each against a
// single rate-limiter-flexible consume on the same store.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from '../src/app/server.js';
import { openServices } from '../src/app/open-services.js';
import { DEFAULT_AUTH_FAILURES, DEFAULT_CONNECTIONS, type TelvaultConfig } from '../src/config.js';
import { Secret } from '../src/crypto/index.js';
import { createTwilioClient } from '../src/providers/twilio/index.js';
import { createTestDatabase } from '../test/support/postgres.js';
import { startTestSandbox } from '../test/support/sandbox.js';
import { commsTenant, serverAt } from '../test/comms/support.js';
import type { BenchModule } from './harness.js';

const ROUNDS = Number(process.env['BENCH_CALLS_ROUNDS'] ?? 5);
const PER_ROUND = 100;
const median = (xs: number[]): number =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

/** Runs `n` tasks, `c` at a time; resolves to tasks per second. */
async function rate(n: number, c: number, task: (i: number) => Promise<void>): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: c }, async () => {
      while (next < n) await task(next++);
    }),
  );
  return (n / (performance.now() - t0)) * 1000;
}

function config(dataDir: string, extra: Partial<TelvaultConfig>): TelvaultConfig {
  return {
    masterKey: new Secret(randomBytes(32).toString('base64')),
    masterKeyPrevious: undefined,
    databaseUrl: undefined,
    dataDir,
    redisUrl: undefined,
    rootToken: new Secret(`tvr_${randomBytes(32).toString('base64url')}`),
    host: '127.0.0.1',
    port: 0,
    providers: 'sandbox',
    sandboxUrl: undefined,
    logLevel: 'silent',
    allowEnvOverride: false,
    connections: { ...DEFAULT_CONNECTIONS },
    authFailures: { ...DEFAULT_AUTH_FAILURES },
    ...extra,
  };
}

let seq = 0;
/** A fresh destination each call (the per-destination limit allows 3 in 10 minutes). */
const destination = (): string => `+1415555${String((seq += 1) % 10_000).padStart(4, '0')}`;

async function callsBench(): Promise<void> {
  const sb = await startTestSandbox();
  const dataDir = mkdtempSync(join(tmpdir(), 'tv-bench-calls-'));
  const cfg = config(dataDir, { sandboxUrl: sb.url });
  const server = await createServer({ config: cfg });
  try {
    const url = await server.listen();
    const api = serverAt(url, cfg.rootToken?.reveal() ?? '');
    const t = await commsTenant(api, sb, 'bench');
    const many = { points: 100_000, windowSeconds: 60 };
    const patched = await api.request('PATCH', `/v1/tenants/${t.tenantId}/settings`, {
      token: t.token,
      body: { limits: { calls: { perCaller: many, perDestination: [many] } } },
    });
    if (patched.status !== 200) throw new Error(`settings: ${patched.text}`);
    const direct = createTwilioClient(
      { accountSid: t.twilio.sid, apiKeySid: t.twilio.keySid, apiKeySecret: t.twilio.keySecret },
      { mode: 'sandbox', sandboxUrl: sb.url },
    );
    const viaTelvault = async () => {
      const r = await fetch(`${url}/v1/tenants/${t.tenantId}/calls`, {
        method: 'POST',
        headers: { authorization: `Bearer ${t.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          fromPhoneId: t.phones.twilio,
          to: destination(),
          twiml: '<Response/>',
        }),
      });
      if (r.status !== 201) throw new Error(`telvault answered ${r.status}: ${await r.text()}`);
    };
    const viaSdk = async () => {
      await direct.sdk.api.v2010
        .accounts(t.twilio.sid)
        .calls.create({ to: destination(), from: t.twilio.number, twiml: '<Response/>' });
    };
    await rate(30, 10, viaTelvault);
    await rate(30, 10, viaSdk);
    const ours: number[] = [];
    const base: number[] = [];
    const ratios: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const [a, b] = r % 2 === 0 ? [viaTelvault, viaSdk] : [viaSdk, viaTelvault];
      const first = await rate(PER_ROUND, 10, a);
      const second = await rate(PER_ROUND, 10, b);
      const [tv, sdk] = r % 2 === 0 ? [first, second] : [second, first];
      ours.push(tv);
      base.push(sdk);
      ratios.push(tv / sdk);
    }
    console.log(
      `\nPOST …/calls (Twilio phone), ${ROUNDS} interleaved rounds of ${PER_ROUND}, 10 in flight`,
    );
    console.log(`  twilio SDK → sandbox directly   ${median(base).toFixed(0)} req/s`);
    console.log(
      `  through telvault                ${median(ours).toFixed(0)} req/s   ratio ${median(ratios).toFixed(3)}`,
    );
  } finally {
    await server.close();
    await sb.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function limitsBench(): Promise<void> {
  const pg = await createTestDatabase('bench-limits');
  const stores = [
    ['memory', {}],
    ['postgres', { databaseUrl: pg.url }],
    [
      'redis',
      {
        databaseUrl: pg.url,
        redisUrl: process.env['TELVAULT_TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379',
      },
    ],
  ] as const;
  // One deployment key for the three: the PostgreSQL database is shared by the last two.
  const masterKey = new Secret(randomBytes(32).toString('base64'));
  console.log('\noutbound limit check alone, 2000 checks at 50 in flight (median of 3)');
  try {
    for (const [name, extra] of stores) {
      const dataDir = mkdtempSync(join(tmpdir(), 'tv-bench-limits-'));
      const opened = await openServices(config(dataDir, { ...extra, masterKey }));
      try {
        const { services, limiters } = opened;
        await services.keys.ensureSystemKey();
        const tenant = await services.tenants.create('bench', { kind: 'cli' });
        const many = { points: 100_000, windowSeconds: 600 };
        await services.settings.update(
          tenant.id,
          { limits: { calls: { perCaller: many, perDestination: [many] } } } as Parameters<
            typeof services.settings.update
          >[1],
          { kind: 'cli' },
        );
        const single = await limiters.createFailClosed({
          name: 'bench',
          points: 1_000_000,
          windowSeconds: 600,
        });
        const charge = () =>
          services.outboundLimits
            .charge({
              tenantId: tenant.id,
              kind: 'call',
              tokenId: 'bench',
              destination: destination(),
            })
            .then(() => undefined);
        const raw = (i: number) => single.consume(`rl1.bench${i % 5000}`).then(() => undefined);
        const ours: number[] = [];
        const base: number[] = [];
        for (let r = 0; r < 3; r++) {
          ours.push(await rate(2000, 50, charge));
          base.push(await rate(2000, 50, raw));
        }
        console.log(
          `  ${name.padEnd(8)}  charge ${median(ours).toFixed(0).padStart(6)}/s   one raw consume ${median(base).toFixed(0).padStart(6)}/s   ratio ${(median(ours) / median(base)).toFixed(3)}`,
        );
      } finally {
        await opened.close();
        rmSync(dataDir, { recursive: true, force: true });
      }
    }
  } finally {
    await pg.drop();
  }
}

export const callsBenchModule: BenchModule = {
  name: 'calls',
  async run() {
    await callsBench();
    await limitsBench();
  },
};
