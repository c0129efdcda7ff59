// Concurrent requests with one Idempotency-Key: exactly one runs the work, every one gets the same
// answer; on one handle, on several handles (PostgreSQL pools: several servers), and from two
// processes on the same database (the SQLite file, the PostgreSQL database). A dead holder is taken
// over by exactly one of many retries. Made to fail on purpose once each: the claim as a
// check-then-insert without the unique constraint, the takeover without its compare-and-set.
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TenantId } from '../../src/crypto/index.js';
import { parseMasterKey } from '../../src/crypto/index.js';
import { runIdempotent, type IdempotentAnswer } from '../../src/services/idempotency/index.js';
import { DIALECTS, openTestStore, type TestStore } from '../store/harness.js';
import { createTenant, openIdemNode, request, type IdemNode } from './idempotency-support.js';

const CHILD = fileURLToPath(new URL('./idempotency-child.ts', import.meta.url));
const N = 20;

const OPTIONS = { leaseMs: 5_000, waitMs: 30_000, pollMs: 5 };

function expectOneAnswer(answers: readonly IdempotentAnswer[]): void {
  expect(answers).toHaveLength(N);
  const first = answers[0];
  for (const a of answers)
    expect({ status: a.status, body: a.body }).toEqual({
      status: first?.status,
      body: first?.body,
    });
  expect(answers.filter((a) => !a.replayed)).toHaveLength(1);
}

interface Child {
  ready: Promise<void>;
  done: Promise<IdempotentAnswer[]>;
  go(): void;
}

function startChild(args: string[]): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, ...args], { stdio: 'pipe' });
  let out = '';
  let err = '';
  let markReady: () => void = () => {};
  let failReady: (e: Error) => void = () => {};
  const ready = new Promise<void>((resolve, reject) => {
    markReady = resolve;
    failReady = reject;
  });
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    if (out.startsWith('ready\n')) markReady();
  });
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const done = new Promise<IdempotentAnswer[]>((resolve, reject) => {
    child.on('close', (code) => {
      failReady(new Error(`child exited ${code} before it was ready: ${err}`));
      const line = out.split('\n')[1];
      if (code !== 0 || line === undefined) reject(new Error(`child exited ${code}: ${err}`));
      else resolve(JSON.parse(line) as IdempotentAnswer[]);
    });
  });
  return { ready, done, go: () => child.stdin.end('go\n') };
}

describe.each(DIALECTS)('concurrent requests with one key on %s', (dialect) => {
  let store: TestStore;
  const masterText = randomBytes(32).toString('base64');
  const nodes: IdemNode[] = [];
  let tenantId: TenantId;

  beforeAll(async () => {
    store = await openTestStore(dialect, 'idemrace');
    const master = parseMasterKey(masterText);
    nodes.push(await openIdemNode(store.db, master, OPTIONS));
    // PostgreSQL: three more servers, each with its own pool.
    if (dialect === 'postgres') {
      for (let i = 0; i < 3; i++) {
        nodes.push(await openIdemNode((await store.openAnother()).db, master, OPTIONS));
      }
    }
    const first = nodes[0];
    if (first === undefined) throw new Error('no node');
    tenantId = await createTenant(first, 'race');
  });
  afterAll(async () => {
    await store.close();
  });

  const nodeFor = (i: number): IdemNode => {
    const n = nodes[i % nodes.length];
    if (n === undefined) throw new Error('no node');
    return n;
  };

  async function entries(): Promise<number> {
    const rows = await store.db
      .selectFrom('idempotency_keys')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .execute();
    return rows.length;
  }

  it(`${N} at once: one runs the work, all ${N} get its answer`, async () => {
    const before = await entries();
    const input = request(tenantId);
    let runs = 0;
    const answers = await Promise.all(
      Array.from({ length: N }, (_, i) =>
        runIdempotent(nodeFor(i).idem, input, async (run) => {
          runs += 1;
          await run.markSent();
          await sleep(30); // the provider call: the duplicates arrive meanwhile
          return { status: 201, body: { id: randomUUID() } };
        }),
      ),
    );
    expect(runs).toBe(1);
    expectOneAnswer(answers);
    expect(await entries()).toBe(before + 1);
  });

  it(`${N} retries of a dead holder: one takes over, all get its answer`, async () => {
    // The dead holder's lease is short; the retries' own leases are not (a live holder that cannot
    // renew in time is taken for dead, which is right, but not what this test is about).
    const input = request(tenantId);
    const dead = await nodeFor(0)
      .withOptions({ ...OPTIONS, leaseMs: 50 })
      .begin(input);
    if (dead.kind !== 'run') throw new Error('expected to hold the entry');
    // All retries arrive once the lease is over, so they all find the holder dead at once.
    const row = await store.db
      .selectFrom('idempotency_keys')
      .select('lease_expires_at')
      .where('id', '=', dead.entry.id)
      .executeTakeFirstOrThrow();
    const left = Date.parse(row.lease_expires_at ?? '') - Date.now();
    if (left >= 0) await sleep(left + 1);
    let runs = 0;
    const answers = await Promise.all(
      Array.from({ length: N }, (_, i) =>
        runIdempotent(nodeFor(i).idem, input, async () => {
          runs += 1;
          await sleep(30);
          return { status: 201, body: { id: randomUUID() } };
        }),
      ),
    );
    expect(runs).toBe(1);
    expectOneAnswer(answers);
  });

  it('two processes at once: one run in all, one answer', async () => {
    const key = `two-processes-${randomUUID()}`;
    const runsFile = join(store.dataDir, `runs-${randomUUID()}`);
    writeFileSync(runsFile, '');
    const args = [store.dataDir, masterText, tenantId, key, runsFile, String(N / 2)];
    if (store.url !== undefined) args.push(store.url);
    const children = [startChild(args), startChild(args)];
    await Promise.all(children.map((c) => c.ready));
    for (const c of children) c.go();
    const answers = (await Promise.all(children.map((c) => c.done))).flat();
    expect(readFileSync(runsFile, 'utf8').split('\n').filter(Boolean)).toHaveLength(1);
    expectOneAnswer(answers);
  });
});
