// An import killed half-way (a real SIGKILL of the CLI's process, once it has written some phones)
// and run again ends in the same state as one uninterrupted run: every phone once, with its own
// Exotel key, one import record per record, and a third run changes nothing. SQLite and PostgreSQL.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TenantId } from '../../src/crypto/index.js';
import type { ImportReport } from '../../src/services/import/index.js';
import { DIALECTS, startTestServer, type TestServer } from '../support/server.js';
import { exotelPhones, legacyEncoders, sampleSecrets } from './legacy-samples.js';
import {
  example,
  legacyEnv,
  readJson,
  recordsOf,
  rowCounts,
  runImport,
  telvaultEnv,
  tenantByExternal,
} from './support.js';

const RECORDS = 400;
const KILL_AFTER = 40;
const numberOf = (i: number) => `+9198${10000000 + i}`;

async function phoneCount(s: TestServer): Promise<number> {
  return (await rowCounts(s))['phones'] ?? 0;
}

/** Every phone of a tenant: its number and its Exotel key, as the services open them. */
async function phonesOf(s: TestServer, tenantId: TenantId): Promise<string[]> {
  const records = recordsOf(s);
  const out: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await s.server.services.phones.list(tenantId, { limit: 200, cursor }, true);
    for (const p of page.phones) {
      const r = await records.find('phones', tenantId, { id: p.id });
      const key =
        r === undefined ? undefined : await records.open('phones', tenantId, r, 'exotel.apiKey');
      out.push(`${p.number} ${key?.reveal() ?? '-'} ${p.tags.join(',')}`);
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return out.sort();
}

describe.each(DIALECTS)('an import killed and run again (%s)', (dialect) => {
  let killed: TestServer;
  let whole: TestServer;
  let dir: string;
  let mappingFile: string;

  beforeAll(async () => {
    [killed, whole] = await Promise.all([startTestServer(dialect), startTestServer(dialect)]);
    dir = mkdtempSync(join(tmpdir(), 'tv-import-kill-'));
    const docs = exotelPhones(legacyEncoders(sampleSecrets()), RECORDS, numberOf);
    writeFileSync(join(dir, 'phones.json'), JSON.stringify(docs));
    mappingFile = join(dir, 'mapping.json');
    const mapping = readJson(example('exotel-phones.json')) as { sources: { file: string }[] };
    for (const src of mapping.sources) src.file = join(dir, 'phones.json');
    writeFileSync(mappingFile, JSON.stringify(mapping));
  });
  afterAll(async () => {
    await killed?.close();
    await whole?.close();
  });

  it('converges to the state of one uninterrupted run', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'test/support/cli-child.ts', 'import', '--mapping', mappingFile],
      {
        env: { PATH: process.env['PATH'], ...telvaultEnv(killed), ...legacyEnv() },
        stdio: 'ignore',
      },
    );
    const exited = new Promise<NodeJS.Signals | number | null>((resolve) =>
      child.on('exit', (code, signal) => resolve(signal ?? code)),
    );
    let ended = false;
    void exited.then(() => (ended = true));
    // Killed once it has written some phones (polling the database, not the clock).
    while (!ended && (await phoneCount(killed)) < KILL_AFTER) {
      await new Promise((r) => setTimeout(r, 20));
    }
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    const atKill = await phoneCount(killed);
    expect(atKill).toBeGreaterThanOrEqual(KILL_AFTER);
    expect(atKill).toBeLessThan(RECORDS);

    const rerun = await runImport(killed, [
      '--mapping',
      mappingFile,
      '--report',
      join(dir, 'r.json'),
    ]);
    expect(rerun.code, rerun.err).toBe(0);
    const report = readJson(join(dir, 'r.json')) as ImportReport;
    expect(report.failed).toEqual([]);
    const uninterrupted = await runImport(whole, ['--mapping', mappingFile]);
    expect(uninterrupted.code, uninterrupted.err).toBe(0);

    const counts = async (s: TestServer) => {
      const c = await rowCounts(s);
      return { tenants: c['tenants'], phones: c['phones'], import_records: c['import_records'] };
    };
    expect(await counts(killed)).toEqual({ tenants: 2, phones: RECORDS, import_records: RECORDS });
    expect(await counts(killed)).toEqual(await counts(whole));
    const users = [
      ...new Set(exotelPhones(legacyEncoders(sampleSecrets()), 2).map((d) => d.userId.$oid)),
    ];
    for (const user of users) {
      const a = await phonesOf(killed, await tenantByExternal(killed, user));
      expect(a).toHaveLength(RECORDS / 2);
      expect(a).toEqual(await phonesOf(whole, await tenantByExternal(whole, user)));
    }
    const third = await runImport(killed, [
      '--mapping',
      mappingFile,
      '--report',
      join(dir, 't.json'),
    ]);
    expect(third.code).toBe(0);
    expect((readJson(join(dir, 't.json')) as ImportReport).targets).toEqual({
      phone: { unchanged: RECORDS },
    });
  });
});
