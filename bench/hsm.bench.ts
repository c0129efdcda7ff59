// The master key in an HSM (SoftHSM2 over PKCS#11) against the local key, in the same run over the
// same 1,000 tenants (one SQLite store seeded once, copied, and the copy moved onto the HSM key by
// rotate-master): start-up time (the start-up key check unwraps every key in use), the first
// request on a tenant not yet cached (its keys unwrapped), and steady-state secret reveals per
// second on a cached tenant, which should be equal: the HSM is off the hot path. Prints the HSM
// calls each phase made. Skipped when SoftHSM2 is not installed.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from '../src/app/server.js';
import { DEFAULT_AUTH_FAILURES, DEFAULT_CONNECTIONS, type TelvaultConfig } from '../src/config.js';
import { Secret } from '../src/crypto/secret.js';
import {
  generatePkcs11MasterKey,
  loadMasterKeys,
  rotateMasterKey,
} from '../src/services/keys/index.js';
import { pkcs11CallCount } from '../src/services/keys/pkcs11/pkcs11-token.js';
import { openDatabase } from '../src/store/database.js';
import type { BenchModule } from './harness.js';

const MODULE = '/usr/lib/softhsm/libsofthsm2.so';
const TENANTS = Number(process.env['BENCH_HSM_TENANTS'] ?? 1000);
const ROUNDS = 4;
const KINDS = ['local', 'hsm'] as const;
type Cannon = (o: {
  url: string;
  method: string;
  headers: Record<string, string>;
  connections: number;
  duration: number;
}) => Promise<{ requests: { average: number; total: number }; non2xx: number }>;
const autocannon = createRequire(import.meta.url)('autocannon') as Cannon;
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1] ?? 0;
const hsmCalls = () => pkcs11CallCount.encrypt + pkcs11CallCount.decrypt;

function softHsm(dir: string): string {
  mkdirSync(join(dir, 'tokens'));
  writeFileSync(
    join(dir, 'softhsm2.conf'),
    `directories.tokendir = ${join(dir, 'tokens')}\nlog.level = ERROR\n`,
  );
  process.env['SOFTHSM2_CONF'] = join(dir, 'softhsm2.conf');
  const pin = randomBytes(8).toString('hex');
  writeFileSync(join(dir, 'pin'), pin, { mode: 0o600 });
  execFileSync(
    'softhsm2-util',
    ['--init-token', '--free', '--label', 'bench', '--so-pin', 'so-secret', '--pin', pin],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  return `pkcs11:token=bench;object=bench-master?module-path=${MODULE}&pin-source=file:${join(dir, 'pin')}`;
}

export const hsmBench: BenchModule = {
  name: 'hsm',
  async run() {
    if (!existsSync(MODULE)) {
      console.log(`skipped: ${MODULE} not found (apt-get install softhsm2)`);
      return;
    }
    const dir = mkdtempSync(join(tmpdir(), 'telvault-bench-hsm-'));
    try {
      const uri = softHsm(dir);
      generatePkcs11MasterKey('bench', uri);
      const local = new Secret(randomBytes(32).toString('base64'));
      const root = `tvr_${randomBytes(32).toString('base64url')}`;
      const config = (dataDir: string, keys: Partial<TelvaultConfig>): TelvaultConfig => ({
        masterKey: undefined,
        masterKeyPrevious: undefined,
        databaseUrl: undefined,
        dataDir,
        redisUrl: undefined,
        rootToken: new Secret(root),
        host: '127.0.0.1',
        port: 0,
        providers: 'sandbox',
        sandboxUrl: undefined,
        logLevel: 'silent',
        allowEnvOverride: false,
        connections: { ...DEFAULT_CONNECTIONS },
        authFailures: { ...DEFAULT_AUTH_FAILURES, limit: 1e6 },
        ...keys,
      });
      const seed = join(dir, 'seed');
      const dirs = { local: join(dir, 'local'), hsm: join(dir, 'hsm') };
      const keysOf = { local: { masterKey: local }, hsm: { masterKeyPkcs11: uri } };

      // Seed: 1,000 tenants with a secret each, and a reveal token on the first.
      let server = await createServer({ config: config(seed, keysOf.local), env: {} });
      let url = await server.listen();
      const call = async (method: string, path: string, body?: unknown, token = root) => {
        const r = await fetch(`${url}${path}`, {
          method,
          headers: {
            authorization: `Bearer ${token}`,
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
        return { status: r.status, json: (await r.json()) as Record<string, string> };
      };
      const tenants: string[] = [];
      for (let i = 0; i < TENANTS; i++) {
        const t = (await call('POST', '/v1/tenants', { name: `t${i}` })).json['id'] ?? '';
        await call('PUT', `/v1/tenants/${t}/secrets/s`, { value: `v${i}` });
        tenants.push(t);
      }
      const hot = tenants[0] ?? '';
      const token =
        (await call('POST', `/v1/tenants/${hot}/tokens`, { name: 'b', scopes: ['secrets:reveal'] }))
          .json['token'] ?? '';
      await server.close();
      // Both stores are copies of the seeded one, so they differ only by the key that wraps them.
      cpSync(seed, dirs.local, { recursive: true });
      cpSync(seed, dirs.hsm, { recursive: true });
      const opened = await openDatabase({ dataDir: dirs.hsm, databaseUrl: undefined });
      const masterKeys = loadMasterKeys({
        ...config(dirs.hsm, keysOf.hsm),
        masterKeyPrevious: local,
      });
      await rotateMasterKey({ db: opened.db, masterKeys });
      await opened.close();

      const startMs = { local: [] as number[], hsm: [] as number[] };
      const firstMs = { local: [] as number[], hsm: [] as number[] };
      const rps = { local: [] as number[], hsm: [] as number[] };
      // CPU per request (server and load generator share this process): steadier than req/s on a
      // shared machine, where time descheduled lowers req/s but not CPU per request.
      const cpuUs = { local: [] as number[], hsm: [] as number[] };
      const calls = { start: 0, first: 0, steady: 0 };
      for (let round = 0; round < ROUNDS; round++) {
        for (const kind of round % 2 === 0 ? KINDS : [...KINDS].reverse()) {
          let before = hsmCalls();
          const t0 = performance.now();
          server = await createServer({ config: config(dirs[kind], keysOf[kind]), env: {} });
          url = await server.listen();
          startMs[kind].push(performance.now() - t0);
          if (kind === 'hsm') calls.start = hsmCalls() - before;
          before = hsmCalls();
          const t1 = performance.now();
          const first = await call('PUT', `/v1/tenants/${tenants[1 + round] ?? ''}/secrets/s`, {
            value: 'x',
          });
          firstMs[kind].push(performance.now() - t1);
          if (first.status !== 200) throw new Error(`first request: ${first.status}`);
          if (kind === 'hsm') calls.first = hsmCalls() - before;
          await call('POST', `/v1/tenants/${hot}/secrets/s/reveal`, undefined, token);
          before = hsmCalls();
          const cpu0 = process.cpuUsage();
          const r = await autocannon({
            url: `${url}/v1/tenants/${hot}/secrets/s/reveal`,
            method: 'POST',
            headers: { authorization: `Bearer ${token}` },
            connections: 10,
            duration: 3,
          });
          if (r.non2xx > 0) throw new Error(`reveal: ${r.non2xx} non-2xx`);
          rps[kind].push(r.requests.average);
          const used = process.cpuUsage(cpu0);
          cpuUs[kind].push((used.user + used.system) / Math.max(1, r.requests.total));
          if (kind === 'hsm') calls.steady = hsmCalls() - before;
          await server.close();
        }
      }
      console.log(
        `${TENANTS} tenants, ${ROUNDS} interleaved rounds (medians); HSM calls from the last HSM round`,
      );
      console.log('case                      local      HSM   HSM/local   HSM calls');
      const row = (name: string, l: number, h: number, c: number, unit: string) =>
        console.log(
          `${name.padEnd(22)} ${l.toFixed(1).padStart(8)} ${h.toFixed(1).padStart(8)} ${(h / l).toFixed(3).padStart(11)} ${String(c).padStart(11)}  ${unit}`,
        );
      row('start-up', median(startMs.local), median(startMs.hsm), calls.start, 'ms');
      row(
        'first request',
        median(firstMs.local),
        median(firstMs.hsm),
        calls.first,
        'ms (uncached tenant)',
      );
      row(
        'reveal (steady)',
        median(rps.local),
        median(rps.hsm),
        calls.steady,
        'req/s (cached tenant)',
      );
      row(
        'reveal CPU per request',
        median(cpuUs.local),
        median(cpuUs.hsm),
        calls.steady,
        'µs (cached tenant)',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
