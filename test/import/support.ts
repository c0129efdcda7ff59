// What the import tests share: `telvault import` run in-process against a test server's database
// (SQLite file or PostgreSQL), with the legacy secrets of the examples in the environment variables
// their mappings name; row counts of every table; and the values read back as stored.
import { readFileSync } from 'node:fs';
import { vi } from 'vitest';
import type { TenantId } from '../../src/crypto/index.js';
import { runCli } from '../../src/cli/main.js';
import { createEncryptedRecords } from '../../src/services/records/index.js';
import { captureIo, stubTelvaultEnv } from '../support/cli.js';
import type { TestServer } from '../support/server.js';
import { sampleSecrets } from './legacy-samples.js';

export const EXAMPLES = new URL('../../examples/import/', import.meta.url);
export const example = (name: string): string => new URL(name, EXAMPLES).pathname;

/** The environment variables the example mappings read, holding the vectors' secrets. */
export function legacyEnv(): Record<string, string> {
  const s = sampleSecrets();
  return {
    ENCRYPTION_KEY: s.scrypt,
    JWT_SECRET: s.pbkdf2,
    APP_ENCRYPTION_KEY: s.packed,
    PHONE_ENCRYPTION_KEY: s.cbc,
  };
}

export function telvaultEnv(s: TestServer): Record<string, string | undefined> {
  return {
    TELVAULT_DATA_DIR: s.dataDir,
    TELVAULT_DATABASE_URL: s.databaseUrl,
    TELVAULT_MASTER_KEY: s.masterKey.reveal(),
    TELVAULT_PROVIDERS: 'sandbox',
  };
}

export interface CliRun {
  code: number;
  out: string;
  err: string;
}

/** `telvault import <args>` against the server's database, legacy secrets from `legacy`. */
export async function runImport(
  s: TestServer,
  args: readonly string[],
  legacy: Record<string, string | undefined> = legacyEnv(),
): Promise<CliRun> {
  stubTelvaultEnv(telvaultEnv(s));
  for (const [k, v] of Object.entries(legacy)) vi.stubEnv(k, v);
  const io = captureIo();
  try {
    const code = await runCli(['import', ...args], io.io);
    return { code, out: io.out(), err: io.err() };
  } finally {
    vi.unstubAllEnvs();
  }
}

const TABLES = [
  'tenants',
  'tenant_keys',
  'credentials',
  'secrets',
  'phones',
  'sip_trunks',
  'import_records',
  'audit_events',
  'key_usage',
] as const;

/** Rows per table (what a dry run must leave as it was). */
export async function rowCounts(s: TestServer): Promise<Record<string, number>> {
  const db = s.server.database.db;
  const out: Record<string, number> = {};
  for (const t of TABLES) {
    const r = await db
      .selectFrom(t)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirst();
    out[t] = Number(r?.n ?? 0);
  }
  return out;
}

export async function tenantByExternal(s: TestServer, externalId: string): Promise<TenantId> {
  const t = await s.server.services.tenants.findByExternalId(externalId);
  if (t === undefined) throw new Error(`no tenant with external id ${externalId}`);
  return t.id;
}

/** Every phone number of a tenant, through the API with a tenant token (E.164, sorted). */
export async function phoneNumbers(s: TestServer, tenantId: TenantId): Promise<string[]> {
  const token = await s.mintToken(tenantId, ['phones:read']);
  const r = await s.request('GET', `/v1/tenants/${tenantId}/phones?limit=200`, { token });
  if (r.status !== 200) throw new Error(`phones list: ${r.status} ${r.text}`);
  return (r.json as { phones: { number: string }[] }).phones.map((p) => p.number).sort();
}

/** A sealed field opened the way the services do (for the values no view returns). */
export function recordsOf(s: TestServer) {
  const { services, database } = s.server;
  return createEncryptedRecords({ db: database.db, keys: services.keys, audit: services.audit });
}

export function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, 'utf8'));
}
