// Kills a child process running a data-key rotation with SIGKILL at random points (during start-up
// and promotion, between batches and inside a batch's transaction), restarts it each time, and
// checks the job completes with every row readable and holding its value.
import { spawn } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMasterKey } from '../../src/crypto/index.js';
import { createKeyService, type KeyService } from '../../src/services/keys/key-service.js';
import { createTenantService } from '../../src/services/tenants/tenant-service.js';
import { listKeyUsage } from '../../src/store/key-usage-repo.js';
import { DIALECTS, openTestStore, type TestStore } from '../store/harness.js';
import { readRow, seedTenant } from '../store/fixtures.js';

const CHILD = fileURLToPath(new URL('./crash-child.ts', import.meta.url));
const KILLS = 12;

interface RunResult {
  killed: boolean;
  code: number | null;
  out: string;
}

/** Runs the child; kills it after `killAfterLines` lines plus a random delay (0 = never). */
function runChild(args: string[], killAfterLines: number): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, ...args], { stdio: 'pipe' });
    let out = '';
    let lines = 0;
    let killed = false;
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      lines = out.split('\n').length - 1;
      if (!killed && killAfterLines > 0 && lines >= killAfterLines) {
        killed = true;
        setTimeout(() => child.kill('SIGKILL'), randomInt(0, 12));
      }
    });
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('close', (code) => resolve({ killed, code, out }));
  });
}

describe.each(DIALECTS)('crash and resume of a data-key rotation on %s', (dialect) => {
  let store: TestStore;
  let keys: KeyService;
  const masterText = randomBytes(32).toString('base64');

  beforeAll(async () => {
    store = await openTestStore(dialect, 'crash');
    keys = createKeyService({ db: store.db, masterKeys: { current: parseMasterKey(masterText) } });
  });
  afterAll(async () => {
    await store.close();
  });

  it(`completes with zero unreadable rows after ${KILLS} SIGKILLs`, async () => {
    const t = await createTenantService({ db: store.db, keys }).createTenant({ name: 'crash' });
    const rows = await seedTenant(store.db, keys, t.id, 120);
    const args = [store.dataDir, masterText, t.id, ...(store.url === undefined ? [] : [store.url])];

    async function countUnreadable(): Promise<number> {
      let unreadable = 0;
      for (const [id, { table, values }] of rows) {
        try {
          expect(await readRow(store.db, keys, t.id, table, id)).toEqual(values);
        } catch {
          unreadable++;
        }
      }
      return unreadable;
    }

    // A fast machine can finish a rotation between two kills: then every row must already open,
    // and the next rotation (v2 -> v3 …) takes the remaining kills, so each run still sees KILLS.
    let kills = 0;
    let rotations = 0;
    while (kills < KILLS) {
      let outcome = '';
      for (let run = 0; outcome === ''; run++) {
        if (run > KILLS * 3) throw new Error(`rotation ${rotations + 1} never finished`);
        // First lines: "started" (then promotion), then one per batch.
        const killAt = kills < KILLS ? (run === 0 ? 1 : randomInt(1, 5)) : 0;
        const r = await runChild(args, killAt);
        if (r.killed && r.code !== 0) kills++;
        const m = /outcome (\w+)/.exec(r.out);
        if (m !== null) outcome = m[1] ?? '';
        else if (!r.killed) throw new Error(`child failed: ${r.out}`);
      }
      expect(outcome).toBe('done');
      rotations++;
      expect(await countUnreadable()).toBe(0);
    }
    expect(kills).toBeGreaterThanOrEqual(KILLS);

    const usage = await listKeyUsage(store.db, t.id);
    const expected = Array.from({ length: rotations + 1 }, (_, i) => [
      i + 1,
      i === rotations ? rows.size : 0,
    ]);
    expect(usage.filter((u) => u.kind === 'data').map((u) => [u.version, u.rows])).toEqual(
      expected,
    );
    const jobs = await store.db
      .selectFrom('jobs')
      .select(['state'])
      .where('tenant_id', '=', t.id)
      .execute();
    expect(jobs).toEqual(Array.from({ length: rotations }, () => ({ state: 'done' })));
  }, 180_000);
});
