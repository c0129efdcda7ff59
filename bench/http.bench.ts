// HTTP API throughput: requests/s and p99 latency of a masked credential read and of a secret
// reveal (decrypt and a durable audit event on every request), each as a ratio to a bare Fastify
// route returning a constant, measured in the same run with the same load generator (autocannon,
// 127.0.0.1 only). The servers run in a child process so the load generator does not share their
// event loop; cases are interleaved round by round so every ratio compares figures taken under the
// same machine load. The server's CPU time per request is printed too: on a busy shared machine it
// moves much less than requests/s do.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import type { BenchModule } from './harness.js';

interface CannonResult {
  requests: { average: number; total: number };
  latency: { p99: number };
  non2xx: number;
  errors: number;
}
type Cannon = (opts: {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  connections: number;
  duration: number;
}) => Promise<CannonResult>;

const autocannon = createRequire(import.meta.url)('autocannon') as Cannon;

const ROUNDS = Number(process.env['BENCH_HTTP_ROUNDS'] ?? 3);
const SECONDS = Number(process.env['BENCH_HTTP_SECONDS'] ?? 3);
const CONNECTIONS = 10;

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
};

async function startServers(): Promise<{
  info: { bareUrl: string; url: string; tenantId: string; token: string };
  stop: () => void;
}> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', new URL('./http-bench-server.ts', import.meta.url).pathname],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const line = await new Promise<string>((resolve, reject) => {
    const rl = createInterface({ input: child.stdout });
    rl.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`bench server exited with ${code}`)));
  });
  return {
    info: JSON.parse(line) as { bareUrl: string; url: string; tenantId: string; token: string },
    stop: () => child.kill('SIGTERM'),
  };
}

export const httpBench: BenchModule = {
  name: 'http',
  async run() {
    const { info, stop } = await startServers();
    try {
      const auth = { authorization: `Bearer ${info.token}` };
      const cases = [
        {
          name: 'bare Fastify constant',
          url: `${info.bareUrl}/constant`,
          method: 'GET',
          headers: {},
        },
        {
          name: 'masked credential read',
          url: `${info.url}/v1/tenants/${info.tenantId}/credentials/sendgrid`,
          method: 'GET',
          headers: auth,
        },
        {
          name: 'secret reveal (audited)',
          url: `${info.url}/v1/tenants/${info.tenantId}/secrets/bench/reveal`,
          method: 'POST',
          headers: auth,
        },
      ];
      const cpuNow = async (): Promise<number> =>
        ((await (await fetch(`${info.bareUrl}/cpu`)).json()) as { us: number }).us;
      const cpu = new Map<string, number[]>();
      const rps = new Map<string, number[]>();
      const p99 = new Map<string, number[]>();
      const ratio = new Map<string, number[]>();
      for (let round = 0; round < ROUNDS; round++) {
        let base = 0;
        for (const c of cases) {
          const cpuBefore = await cpuNow();
          const r = await autocannon({
            url: c.url,
            method: c.method,
            headers: c.headers,
            connections: CONNECTIONS,
            duration: SECONDS,
          });
          if (r.non2xx > 0 || r.errors > 0)
            throw new Error(`${c.name}: ${r.non2xx} non-2xx, ${r.errors} errors`);
          const cpuUs = (await cpuNow()) - cpuBefore;
          cpu.set(c.name, [...(cpu.get(c.name) ?? []), cpuUs / Math.max(1, r.requests.total)]);
          if (base === 0) base = r.requests.average;
          rps.set(c.name, [...(rps.get(c.name) ?? []), r.requests.average]);
          p99.set(c.name, [...(p99.get(c.name) ?? []), r.latency.p99]);
          ratio.set(c.name, [...(ratio.get(c.name) ?? []), r.requests.average / base]);
        }
      }
      console.log(
        `autocannon, ${CONNECTIONS} connections, ${SECONDS}s per case, ${ROUNDS} interleaved rounds (medians)`,
      );
      console.log(
        'case                         req/s     p99 ms   ratio to bare   server CPU µs/req',
      );
      for (const c of cases) {
        console.log(
          `${c.name.padEnd(26)} ${median(rps.get(c.name) ?? [])
            .toFixed(0)
            .padStart(8)} ${median(p99.get(c.name) ?? [])
            .toFixed(1)
            .padStart(10)} ${median(ratio.get(c.name) ?? [])
            .toFixed(3)
            .padStart(14)} ${median(cpu.get(c.name) ?? [])
            .toFixed(0)
            .padStart(19)}`,
        );
      }
    } finally {
      stop();
    }
  },
};
