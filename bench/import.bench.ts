// Import benchmark: BENCH_IMPORT_RECORDS (default 10 000) `exotel-phones` records (each phone's
// Exotel key and token under `gcm-hex-pbkdf2`, PBKDF2-SHA256 at 100 000 iterations), on SQLite,
// all in the same run:
// - baseline: the raw decode of the same records with node:crypto (the key derived once, two
//   AES-GCM opens a record), nothing else;
// - the importer's dry run (read, open, shape checks, tenants looked up, fingerprints);
// - the full import (phones written through the phone service: normalize, seal, unique blind
//   index, audit event; each chunk of 200 records committed in one transaction);
// - what the legacy code did, a PBKDF2 derivation per value, on a sample, extrapolated.
// Prints records/s, each against the baseline, and how many times PBKDF2 ran (the report's count,
// and the wall time: a derivation per record would take longer than the whole import).
import { createDecipheriv, pbkdf2Sync, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServices } from '../src/app/services.js';
import { parseMasterKey } from '../src/crypto/index.js';
import { importRecords, readRecords, type ImportReport } from '../src/services/import/index.js';
import { createKeyService } from '../src/services/keys/key-service.js';
import { openDatabase } from '../src/store/database.js';
import { exotelPhones, legacyEncoders, sampleSecrets } from '../test/import/legacy-samples.js';
import type { BenchModule } from './harness.js';

const RECORDS = Number(process.env['BENCH_IMPORT_RECORDS'] ?? 10_000);
const PER_VALUE_SAMPLE = 20;
const SALT = 'exotel-encryption-salt';
const ITERATIONS = 100_000;

const numberOf = (i: number) => `+9198${10_000_000 + i}`;

function openGcm(key: Buffer, stored: string): string {
  const [iv = '', ct = '', tag = ''] = stored.split(':');
  const d = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'hex'), { authTagLength: 16 });
  d.setAuthTag(Buffer.from(tag, 'hex'));
  return Buffer.concat([d.update(Buffer.from(ct, 'hex')), d.final()]).toString('utf8');
}

type Doc = ReturnType<typeof exotelPhones>[number];
const sealedOf = (d: Doc): string[] =>
  'exotelData' in d && d.exotelData !== undefined
    ? [d.exotelData.apiKey, d.exotelData.apiToken]
    : [];

async function importOnce(docs: Doc[], secret: string, dryRun: boolean) {
  // As `mongoexport --jsonArray` wrote them, read as the CLI reads them (not timed).
  const records = readRecords(JSON.stringify(docs), 'ejson', 'bench');
  const dataDir = mkdtempSync(join(tmpdir(), 'tv-bench-import-'));
  const opened = await openDatabase({ dataDir });
  try {
    const { db } = opened;
    const keys = createKeyService({
      db,
      masterKeys: { current: parseMasterKey(randomBytes(32).toString('base64')) },
    });
    await keys.ensureSystemKey();
    const services = createServices({ db, dialect: 'sqlite', keys, rootTokenHash: undefined });
    const mapping = (
      await import('../examples/import/exotel-phones.json', { with: { type: 'json' } })
    ).default;
    const started = process.hrtime.bigint();
    const report: ImportReport = await importRecords({ ...services, db }, mapping, records, {
      dryRun,
      keySecrets: () => secret,
    });
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    return { ms, report };
  } finally {
    await opened.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export const importBench: BenchModule = {
  name: 'import',
  async run() {
    const secrets = sampleSecrets();
    const docs = exotelPhones(legacyEncoders(secrets), RECORDS, numberOf);

    let t = process.hrtime.bigint();
    const key = pbkdf2Sync(secrets.pbkdf2, SALT, ITERATIONS, 32, 'sha256');
    const deriveMs = Number(process.hrtime.bigint() - t) / 1e6;
    t = process.hrtime.bigint();
    let opened = 0;
    for (const d of docs) for (const v of sealedOf(d)) opened += openGcm(key, v).length;
    const rawMs = Number(process.hrtime.bigint() - t) / 1e6 + deriveMs;

    t = process.hrtime.bigint();
    for (const d of docs.slice(0, PER_VALUE_SAMPLE)) {
      for (const v of sealedOf(d)) {
        opened += openGcm(pbkdf2Sync(secrets.pbkdf2, SALT, ITERATIONS, 32, 'sha256'), v).length;
      }
    }
    const perValueMs = (Number(process.hrtime.bigint() - t) / 1e6) * (RECORDS / PER_VALUE_SAMPLE);

    const dry = await importOnce(docs, secrets.pbkdf2, true);
    const full = await importOnce(docs, secrets.pbkdf2, false);
    if (opened === 0 || full.report.failed.length > 0 || full.report.doubtful.length > 0) {
      throw new Error(
        `the import bench did not import every record: ${JSON.stringify([full.report.failed[0], full.report.doubtful[0]])}`,
      );
    }

    const rate = (ms: number) => (RECORDS * 1000) / ms;
    const base = rate(rawMs);
    const rows: [string, number][] = [
      ['raw decode, node:crypto, key derived once (baseline)', rawMs],
      ['importRecords --dry-run (open, shape checks, fingerprints)', dry.ms],
      ['importRecords (phones written through the phone service)', full.ms],
      [`PBKDF2 per value, as the legacy code did (from ${PER_VALUE_SAMPLE})`, perValueMs],
    ];
    console.log(`\n${RECORDS} exotel-phones records, SQLite (wall time, one run each)`);
    const width = Math.max(...rows.map(([n]) => n.length));
    console.log(`${'case'.padEnd(width)}  ${'records/s'.padStart(10)}  ratio to baseline`);
    for (const [name, ms] of rows) {
      console.log(
        `${name.padEnd(width)}  ${Math.round(rate(ms)).toLocaleString('en-US').padStart(10)}  ${(rate(ms) / base).toFixed(4)}`,
      );
    }
    const derived = full.report.keys['exotel']?.derived ?? 0;
    console.log(
      `PBKDF2 ran ${derived} time(s) in the import (report.keys.exotel.derived); one derivation takes ${deriveMs.toFixed(1)} ms, so ${RECORDS} would take ${((deriveMs * RECORDS) / 1000).toFixed(0)} s alone; the whole import took ${(full.ms / 1000).toFixed(1)} s`,
    );
  },
};
