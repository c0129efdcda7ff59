// Support for the backup tests: a deployment's environment, a bounded write load through a
// `telvault serve` in its own process (each write recorded with the phase it was sent and
// acknowledged in), and the heads of an audit head line.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { call } from '../support/child-server.js';

export interface Deployment {
  dir: string;
  env: Record<string, string>;
  masterKey: string;
  rootToken: string;
}

/** A fresh directory (the data directory is `<dir>/data`), master key and root token. */
export function newDeployment(prefix: string): Deployment {
  const dir = mkdtempSync(join(tmpdir(), `tv-${prefix}-`));
  const masterKey = randomBytes(32).toString('base64');
  const rootToken = `tvr_${randomBytes(32).toString('base64url')}`;
  return {
    dir,
    masterKey,
    rootToken,
    env: {
      TELVAULT_DATA_DIR: join(dir, 'data'),
      TELVAULT_MASTER_KEY: masterKey,
      TELVAULT_ROOT_TOKEN: rootToken,
    },
  };
}

/** Where a write load is: writes are tagged with the phase they were sent and acknowledged in. */
export type Phase = 'before' | 'during' | 'snapshot-taken' | 'after';

export interface Write {
  name: string;
  value: string;
  sentIn: Phase;
  ackedIn: Phase;
}

export interface WriteLoad {
  phase: Phase;
  /** Every acknowledged write (a refused one fails the load). */
  readonly acked: Write[];
  /** Acknowledged writes that were sent in `phase`. */
  sentIn(phase: Phase): number;
  /** A write was refused (the load stopped; `stop()` throws it). */
  failed(): boolean;
  /** Stops sending and waits for the writes in flight. */
  stop(): Promise<void>;
}

export const CANARY = 'CANARY-backup-';

/**
 * Sends up to `max` secret writes to `url`, `parallel` at a time, until stopped; each value is a
 * canary (`CANARY-backup-…`) that must never appear in any output. A write that is not 200 throws
 * from `stop()`.
 */
export function startWriteLoad(
  url: string,
  token: string,
  tenantId: string,
  opts: { max: number; parallel: number; prefix: string },
): WriteLoad {
  const acked: Write[] = [];
  let next = 0;
  let stopped = false;
  let failure: Error | undefined;
  const load: WriteLoad = {
    phase: 'before',
    acked,
    sentIn: (p) => acked.filter((w) => w.sentIn === p).length,
    failed: () => failure !== undefined,
    stop: async () => {
      stopped = true;
      await done;
      if (failure !== undefined) throw failure;
    },
  };
  const worker = async () => {
    while (!stopped && next < opts.max) {
      const i = next++;
      const name = `${opts.prefix}-${String(i).padStart(4, '0')}`;
      const value = `${CANARY}${randomBytes(8).toString('hex')}`;
      const sentIn = load.phase;
      const r = await call(url, 'PUT', `/v1/tenants/${tenantId}/secrets/${name}`, token, {
        value,
      });
      if (r.status !== 200) throw new Error(`write ${name} answered ${r.status}: ${r.text}`);
      acked.push({ name, value, sentIn, ackedIn: load.phase });
    }
  };
  const done = Promise.all(Array.from({ length: opts.parallel }, worker)).then(
    () => undefined,
    (err: unknown) => {
      stopped = true;
      failure = err instanceof Error ? err : new Error(String(err));
    },
  );
  return load;
}

/** The `[stream, seq, hash]` heads of a `tvah2.` line (the MAC is checked by telvault, not here). */
export function headsOf(line: string): Array<[string, number, string]> {
  const body = line.trim().split('.')[1] ?? '';
  const payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as {
    heads: Array<[string, number, string]>;
  };
  return payload.heads;
}

/** Waits until `cond` holds (the load keeps going meanwhile); a refused write ends the wait. */
export async function until(load: WriteLoad, cond: () => boolean): Promise<void> {
  while (!cond()) {
    if (load.failed()) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const CLI_CHILD = fileURLToPath(new URL('../support/cli-child.ts', import.meta.url));

/** `telvault <args>` in its own process, from the sources, with exactly `env` (and PATH). */
export function runCliChild(
  args: readonly string[],
  env: Readonly<Record<string, string>>,
): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI_CHILD, ...args], {
    env: { PATH: process.env['PATH'] ?? '', ...env },
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, out, err })));
}
