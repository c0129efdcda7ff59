// Master-key rotation as docs/operations.md describes it, on two `telvault serve` processes over
// one PostgreSQL, under load (tenant creation, secret writes and reveals through both nodes):
//   1. every node restarts with TELVAULT_MASTER_KEY_NEXT=<new> (the old key still TELVAULT_MASTER_KEY);
//      rotate-master before the last node has it is refused;
//   2. `keys rotate-master` with TELVAULT_MASTER_KEY=<new>, TELVAULT_MASTER_KEY_PREVIOUS=<old>;
//   3. every node restarts with TELVAULT_MASTER_KEY=<new> alone.
// No answer is a 5xx, except a 503 from a node while it restarts (a refused connection to a node
// that is down is counted apart), and every acknowledged write reads back on both nodes.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMasterKey } from '../../src/crypto/index.js';
import { openDatabase, type OpenedDatabase } from '../../src/store/database.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { runCliWithEnv } from '../support/cli.js';

const CHILD = fileURLToPath(new URL('./serve-child.ts', import.meta.url));
const WORKERS = 6;

interface Node {
  name: string;
  url: string;
  child: ChildProcess | undefined;
  /** Bumped when a restart begins and when it ends: a request that saw it change overlapped one. */
  epoch: number;
  restarting: boolean;
  output: string;
}

interface Tenant {
  id: string;
  token: string;
}

type Keys = Record<string, string>;

describe('rolling master-key rotation on two serve processes over PostgreSQL', () => {
  let pg: TestDatabase;
  let store: OpenedDatabase;
  const dirs: string[] = [];
  const oldKey = randomBytes(32).toString('base64');
  const newKey = randomBytes(32).toString('base64');
  const rootToken = `tvr_${randomBytes(32).toString('base64url')}`;
  const nodes: Node[] = [];

  function spawnNode(node: Node, keys: Keys): Promise<void> {
    const dir = mkdtempSync(join(tmpdir(), `tv-roll-${node.name}-`));
    dirs.push(dir);
    const env: NodeJS.ProcessEnv = { PATH: process.env['PATH'] };
    Object.assign(env, {
      TELVAULT_DATABASE_URL: pg.url,
      TELVAULT_DATA_DIR: dir,
      TELVAULT_ROOT_TOKEN: rootToken,
      TELVAULT_PORT: '0',
      TELVAULT_LOG_LEVEL: 'warn',
      ...keys,
    });
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, 'serve'], { env });
    node.child = child;
    let out = '';
    return new Promise((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /listening on (\S+)/.exec(out);
        if (m?.[1] !== undefined && node.child === child) {
          node.url = m[1];
          resolve();
        }
      });
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      child.on('exit', (code) => {
        node.output += out;
        reject(new Error(`${node.name} exited (${code}): ${out}`));
      });
    });
  }

  async function stopNode(node: Node): Promise<void> {
    const child = node.child;
    if (child === undefined || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }

  async function restart(node: Node, keys: Keys): Promise<void> {
    node.restarting = true;
    node.epoch++;
    await stopNode(node);
    await spawnNode(node, keys);
    node.restarting = false;
    node.epoch++;
  }

  // The load and what it saw.
  const tenants: Tenant[] = [];
  const written: Array<{ tenant: Tenant; name: string; value: string }> = [];
  const failures: string[] = [];
  let ok = 0;
  let restart503 = 0;
  let refused = 0;
  let stopping = false;
  let counter = 0;

  async function call(
    node: Node,
    method: string,
    path: string,
    token: string,
    body?: unknown,
  ): Promise<{ status: number; json: unknown } | undefined> {
    const epoch = node.epoch;
    const during = () => node.restarting || node.epoch !== epoch;
    let res: Response;
    try {
      res = await fetch(`${node.url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch {
      if (during() || stopping) refused++;
      else failures.push(`${node.name} ${method} ${path}: connection failed outside a restart`);
      await new Promise((r) => setTimeout(r, 10)); // the node is down: do not spin
      return undefined;
    }
    const text = await res.text();
    const json = text === '' ? undefined : (JSON.parse(text) as unknown);
    const code = (json as { error?: { code?: string } } | undefined)?.error?.code ?? '';
    if (res.status >= 500) {
      // Fastify's own 503 while the node closes; never one of the key errors.
      const keyError = /MASTER_KEY|TENANT_KEYS/.test(code);
      if (res.status === 503 && during() && !keyError) restart503++;
      else failures.push(`${node.name} ${method} ${path}: ${res.status} ${text}`);
      return undefined;
    }
    return { status: res.status, json };
  }

  const pick = <T>(list: readonly T[]): T => list[randomInt(list.length)] as T;

  async function step(): Promise<void> {
    const node = pick(nodes);
    const roll = Math.random();
    if (tenants.length < 4 || roll < 0.2) {
      const created = await call(node, 'POST', '/v1/tenants', rootToken, { name: 'load' });
      if (created === undefined) return;
      const id = (created.json as { id: string }).id;
      const minted = await call(pick(nodes), 'POST', `/v1/tenants/${id}/tokens`, rootToken, {
        name: 'load',
        scopes: ['secrets:write', 'secrets:reveal'],
      });
      if (minted !== undefined)
        tenants.push({ id, token: (minted.json as { token: string }).token });
    } else if (roll < 0.6 || written.length === 0) {
      // The newest tenants most often: those are the ones wrapped under the newest key.
      const tenant = tenants[
        Math.max(0, tenants.length - 1 - randomInt(Math.min(tenants.length, 6)))
      ] as Tenant;
      const name = `s${++counter}`;
      const value = randomBytes(12).toString('hex');
      const r = await call(node, 'PUT', `/v1/tenants/${tenant.id}/secrets/${name}`, tenant.token, {
        value,
      });
      if (r?.status === 200) written.push({ tenant, name, value });
      else if (r !== undefined) failures.push(`${node.name} PUT: ${r.status}`);
    } else {
      const w = pick(written);
      const r = await call(
        node,
        'POST',
        `/v1/tenants/${w.tenant.id}/secrets/${w.name}/reveal`,
        w.tenant.token,
      );
      if (r === undefined) return;
      if (r.status !== 200 || (r.json as { value: string }).value !== w.value) {
        failures.push(`${node.name} reveal ${w.name}: ${r.status} ${JSON.stringify(r.json)}`);
      }
    }
    ok++;
  }

  /** Lets the load run for `n` more successful steps (a synchronisation, not a pass condition). */
  async function loadFor(n: number): Promise<void> {
    const target = ok + n;
    while (ok < target && failures.length === 0) await new Promise((r) => setTimeout(r, 20));
  }

  async function cli(args: string[], keys: Keys): Promise<{ code: number; out: string }> {
    const r = await runCliWithEnv(args, {
      TELVAULT_DATABASE_URL: pg.url,
      TELVAULT_DATA_DIR: dirs[0],
      ...keys,
    });
    return { code: r.code, out: r.all };
  }

  async function wrappers(): Promise<string[]> {
    const rows = await store.db
      .selectFrom('tenant_keys')
      .select('master_key_id')
      .distinct()
      .execute();
    return rows.map((r) => r.master_key_id).sort();
  }

  beforeAll(async () => {
    pg = await createTestDatabase('rolling');
    for (const name of ['A', 'B']) {
      nodes.push({ name, url: '', child: undefined, epoch: 0, restarting: false, output: '' });
    }
    await Promise.all(nodes.map((n) => spawnNode(n, { TELVAULT_MASTER_KEY: oldKey })));
    store = await openDatabase({ dataDir: dirs[0] ?? tmpdir(), databaseUrl: pg.url, poolMax: 2 });
  });
  afterAll(async () => {
    stopping = true;
    await Promise.all(nodes.map(stopNode));
    await store?.close();
    await new Promise((r) => setTimeout(r, 200));
    await pg?.drop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('answers no 5xx but a restarting node’s own 503s, and loses nothing', async () => {
    const [a, b] = nodes as [Node, Node];
    const oldId = parseMasterKey(oldKey).id;
    const newId = parseMasterKey(newKey).id;
    const workers = Array.from({ length: WORKERS }, async () => {
      while (!stopping) await step();
    });
    try {
      await loadFor(40);

      // Phase 1: every node learns the new key as TELVAULT_MASTER_KEY_NEXT, one at a time.
      const next = { TELVAULT_MASTER_KEY: oldKey, TELVAULT_MASTER_KEY_NEXT: newKey };
      await restart(a, next);
      await loadFor(40);
      // B does not hold the new key yet: making it current is refused, and nothing moved to it.
      const early = await cli(['keys', 'rotate-master'], {
        TELVAULT_MASTER_KEY: newKey,
        TELVAULT_MASTER_KEY_PREVIOUS: oldKey,
      });
      expect(early.code).toBe(1);
      expect(early.out).toContain('1 running node(s) do not hold it');
      expect(await wrappers()).toEqual([oldId]);
      await restart(b, next);
      await loadFor(40);

      // Phase 2: the new key becomes current and every key is rewrapped, under load.
      const rotated = await cli(['keys', 'rotate-master'], {
        TELVAULT_MASTER_KEY: newKey,
        TELVAULT_MASTER_KEY_PREVIOUS: oldKey,
      });
      expect(rotated.out).toContain('the previous one is no longer needed');
      expect(rotated.code).toBe(0);
      await loadFor(60); // tenants created under the new key, read through both nodes

      // Phase 3: the old key is removed from every node.
      await restart(a, { TELVAULT_MASTER_KEY: newKey });
      await loadFor(40);
      await restart(b, { TELVAULT_MASTER_KEY: newKey });
      await loadFor(40);
    } finally {
      stopping = true;
      await Promise.all(workers);
    }

    expect(failures).toEqual([]);
    expect(await wrappers()).toEqual([newId]);
    const states = await store.db.selectFrom('master_keys').select(['id', 'state']).execute();
    expect(new Map(states.map((s) => [s.id, s.state]))).toEqual(
      new Map([
        [oldId, 'retired'],
        [newId, 'current'],
      ]),
    );
    // Every acknowledged write reads back through both nodes (the newest 40 of them).
    stopping = false;
    for (const w of written.slice(-40)) {
      for (const node of nodes) {
        const r = await call(
          node,
          'POST',
          `/v1/tenants/${w.tenant.id}/secrets/${w.name}/reveal`,
          w.tenant.token,
        );
        expect((r?.json as { value?: string } | undefined)?.value).toBe(w.value);
      }
    }
    stopping = true;
    expect(failures).toEqual([]);
    expect(tenants.length).toBeGreaterThan(10);
    expect(written.length).toBeGreaterThan(40);
    console.log(
      `rolling rotation: ${ok} requests ok, ${tenants.length} tenants, ${written.length} writes, ${restart503} restart 503s, ${refused} refused connections`,
    );
  }, 120_000);
});
