// Trunk setup benchmark in interleaved rounds, against the in-process sandbox on SQLite: for a
// fresh setup and for a re-run on a ready trunk, the Twilio calls telvault makes (reads = GET, writes = the rest,
// from the sandbox's per-route counters) and the median wall time, per step and in total; then
// setups of many tenants in a row, in chunks alternating with the baseline's. The baseline,
// measured in the same run: the calls a correct client must make at the least, directly with the
// twilio SDK (trunk-baseline.ts): the creates, and the reads without which it could not converge.
// Wall time, not CPU time: this is I/O-bound. Step times of telvault come from its recorded steps.
// BENCH_TRUNK_ROUNDS (default 15) fresh/re-run pairs; BENCH_TRUNK_TENANTS (default 100) in a row.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServices } from '../src/app/services.js';
import { parseMasterKey, type TenantId } from '../src/crypto/index.js';
import { PROVIDER_SPECS } from '../src/services/credentials/index.js';
import { createKeyService } from '../src/services/keys/key-service.js';
import { openDatabase } from '../src/store/database.js';
import { startTestSandbox } from '../test/support/sandbox.js';
import type { BenchModule } from './harness.js';
import {
  baselineFresh,
  baselineRerun,
  countCalls,
  countZero,
  median,
  ms,
  newAccount,
  STEPS,
  total,
  type Account,
  type BaselineTrunk,
  type Bucket,
  type Calls,
} from './trunk-baseline.js';

const ROUNDS = Number(process.env['BENCH_TRUNK_ROUNDS'] ?? 15);
const TENANTS = Number(process.env['BENCH_TRUNK_TENANTS'] ?? 100);
const ACTOR = { kind: 'system', name: 'bench' } as const;
interface Sample {
  ms: number;
  calls: Calls;
  steps?: Record<string, number>;
}

async function trunkBench(): Promise<void> {
  const sb = await startTestSandbox();
  const dataDir = mkdtempSync(join(tmpdir(), 'tv-bench-trunks-'));
  const opened = await openDatabase({ dataDir, databaseUrl: undefined });
  try {
    const keys = createKeyService({
      db: opened.db,
      masterKeys: { current: parseMasterKey(randomBytes(32).toString('base64')) },
    });
    const services = createServices({
      db: opened.db,
      dialect: opened.dialect,
      keys,
      rootTokenHash: undefined,
      providers: { mode: 'sandbox', sandboxUrl: sb.url },
    });
    await services.audit.start();
    let n = 0;
    const tenant = async (): Promise<TenantId> => {
      const t = await services.tenants.create(`bench-${(n += 1)}`, ACTOR);
      const a = await newAccount(sb);
      const body = PROVIDER_SPECS.twilio.body.parse({ accountSid: a.sid, authToken: a.authToken });
      await services.credentials.put(t.id, 'twilio', body, ACTOR);
      return t.id;
    };
    /** One measured operation: the counters cleared before, read after. */
    const measured = async (fn: () => Promise<unknown>): Promise<Sample> => {
      sb.context.counters.clear();
      const t0 = process.hrtime.bigint();
      await fn();
      return { ms: ms(t0), calls: countCalls(sb) };
    };
    const setup = (id: TenantId) => services.trunks.setup(id, {}, ACTOR);
    /** Per-step wall time of a fresh setup, from its steps' recorded done times. */
    const stepTimes = async (id: TenantId, startedAt: number): Promise<Record<string, number>> => {
      const v = await services.trunks.get(id, { actor: ACTOR });
      const out: Record<string, number> = {};
      let prev = startedAt;
      for (const s of v.steps) {
        const at = s.at === null ? prev : Date.parse(s.at);
        out[s.name] = at - prev;
        prev = at;
      }
      return out;
    };

    /** The trunk's recorded writes: each one transaction with its chained audit event. */
    const trunkEvents = async (id: TenantId) =>
      (
        await opened.db
          .selectFrom('audit_events')
          .select('action')
          .where('tenant_id', '=', id)
          .where('action', 'like', 'trunk.%')
          .execute()
      ).length;
    let events = 0;
    const fresh: Sample[] = [];
    const rerun: Sample[] = [];
    const baseFresh: Sample[] = [];
    const baseRerun: Sample[] = [];
    for (let r = -2; r < ROUNDS; r++) {
      // Two warm-up rounds; the order within a round alternates.
      const id = await tenant();
      const account = await newAccount(sb);
      const ours = async () => {
        const startedAt = Date.now();
        const f = await measured(() => setup(id));
        f.steps = await stepTimes(id, startedAt);
        if (r === 0) events = await trunkEvents(id);
        const again = await measured(() => setup(id));
        if (r < 0) return;
        fresh.push(f);
        rerun.push(again);
      };
      const theirs = async () => {
        let made: BaselineTrunk | undefined;
        const f = await measured(async () => (made = await baselineFresh(sb, account)));
        if (made === undefined) throw new Error('bench: no baseline trunk');
        const ids = made;
        f.steps = ids.times;
        const again = await measured(() => baselineRerun(sb, account, ids));
        if (r < 0) return;
        baseFresh.push(f);
        baseRerun.push(again);
      };
      if (r % 2 === 0) await ours().then(theirs);
      else await theirs().then(ours);
    }

    // Many tenants in a row, in chunks of 10 alternating with the baseline's.
    const chunk = 10;
    let oursMs = 0;
    let theirsMs = 0;
    const calls = { ours: { reads: 0, writes: 0 }, theirs: { reads: 0, writes: 0 } };
    for (let done = 0; done < TENANTS; done += chunk) {
      const size = Math.min(chunk, TENANTS - done);
      const ids: TenantId[] = [];
      const accounts: Account[] = [];
      for (let i = 0; i < size; i++) {
        ids.push(await tenant());
        accounts.push(await newAccount(sb));
      }
      const o = await measured(async () => {
        for (const id of ids) await setup(id);
      });
      const t = await measured(async () => {
        for (const a of accounts) await baselineFresh(sb, a);
      });
      oursMs += o.ms;
      theirsMs += t.ms;
      for (const [k, s] of [
        ['ours', o],
        ['theirs', t],
      ] as const) {
        const c = total(s.calls);
        calls[k].reads += c.reads;
        calls[k].writes += c.writes;
      }
    }

    printCalls('fresh setup', fresh, baseFresh);
    console.log(
      `telvault records ${events} trunk writes in a fresh setup (each one transaction with its audit event): the intent before and the result after each provider write`,
    );
    printCalls('re-run on a ready trunk', rerun, baseRerun);
    console.log(
      `\n${TENANTS} tenants set up in a row (chunks of ${chunk}, alternating with the baseline)`,
    );
    console.log('              | total ms | ms/tenant | reads | writes');
    const row = (name: string, t: number, c: { reads: number; writes: number }) =>
      console.log(
        `${name.padEnd(13)} | ${t.toFixed(0).padStart(8)} | ${(t / TENANTS).toFixed(2).padStart(9)} | ${String(c.reads).padStart(5)} | ${String(c.writes).padStart(6)}`,
      );
    row('telvault', oursMs, calls.ours);
    row('baseline SDK', theirsMs, calls.theirs);
    console.log(
      `ratio telvault/baseline: time ${(oursMs / theirsMs).toFixed(2)}x, calls ${((calls.ours.reads + calls.ours.writes) / (calls.theirs.reads + calls.theirs.writes)).toFixed(2)}x`,
    );
  } finally {
    await opened.close();
    await sb.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function printCalls(title: string, ours: Sample[], theirs: Sample[]): void {
  console.log(
    `\n${title}: Twilio calls (reads/writes) and median wall ms over ${ours.length} runs`,
  );
  console.log(
    'step           | telvault R/W | baseline R/W | telvault ms | baseline ms | ms ratio',
  );
  const cell = (s: Sample | undefined, b: Bucket) =>
    s === undefined ? '-' : `${s.calls[b].reads}/${s.calls[b].writes}`;
  const stepMs = (xs: Sample[], b: string) =>
    xs.some((x) => x.steps !== undefined) ? median(xs.map((x) => x.steps?.[b] ?? 0)) : undefined;
  for (const b of [...STEPS, 'other'] as const) {
    const o = stepMs(ours, b);
    const t = stepMs(theirs, b);
    const fmt = (v: number | undefined) => (v === undefined ? '-' : v.toFixed(1));
    const ratio = o === undefined || t === undefined || t === 0 ? '-' : `${(o / t).toFixed(1)}x`;
    console.log(
      `${b.padEnd(14)} | ${cell(ours[0], b).padStart(12)} | ${cell(theirs[0], b).padStart(12)} | ${fmt(o).padStart(11)} | ${fmt(t).padStart(11)} | ${ratio.padStart(8)}`,
    );
  }
  const o = total(ours[0]?.calls ?? countZero());
  const t = total(theirs[0]?.calls ?? countZero());
  const om = median(ours.map((x) => x.ms));
  const tm = median(theirs.map((x) => x.ms));
  console.log(
    `${'total'.padEnd(14)} | ${`${o.reads}/${o.writes}`.padStart(12)} | ${`${t.reads}/${t.writes}`.padStart(12)} | ${om.toFixed(1).padStart(11)} | ${tm.toFixed(1).padStart(11)} | ${`${(om / tm).toFixed(1)}x`.padStart(8)}`,
  );
  const same = (xs: Sample[]) =>
    xs.every((x) => JSON.stringify(x.calls) === JSON.stringify(xs[0]?.calls));
  if (!same(ours) || !same(theirs))
    console.log('(call counts differed between runs: first run shown)');
  console.log(
    `calls ratio telvault/baseline: ${((o.reads + o.writes) / Math.max(1, t.reads + t.writes)).toFixed(2)}x (reads ${o.reads}/${t.reads}, writes ${o.writes}/${t.writes})`,
  );
}

export const trunkRoundsBench: BenchModule = {
  name: 'trunks',
  async run() {
    console.log(
      `trunk setup against the in-process sandbox on SQLite: ${ROUNDS} fresh/re-run pairs, ${TENANTS} tenants in a row`,
    );
    console.log(
      "per step: calls by the route of the step's resource (credentialList's read of the trunk's lists counts under association); step ms of telvault from its recorded step times",
    );
    await trunkBench();
  },
};
