// `importRecords`: a platform's existing records brought in through the services. Each record is
// read, opened with its legacy key (each key derived once) and checked against the shapes its
// target's fields must have; doubtful ones are reported, not imported. A record is known by the
// keyed hash of its source and id, with the keyed fingerprint of the values it wrote; a target
// already holding the record's values is unchanged, so a re-run (also after a kill) imports
// nothing twice and converges. A target holding other values that this import did not write (or
// that changed since it wrote them) is a conflict: not written unless replaceExisting says so.
// Writes go through the services in chunks; a chunk's writes and its import records commit in one
// transaction.
import { createHmac, randomBytes } from 'node:crypto';
import { TelvaultError } from '../../errors.js';
import type { Database } from '../../store/database.js';
import type { Actor } from '../audit/actor.js';
import type { KeyService } from '../keys/key-service.js';
import type { EncryptedRecords } from '../records/index.js';
import type { TenantAdmin } from '../tenants/tenant-admin.js';
import type { ApplyServices } from './apply-target.js';
import { applyChunk, type ChunkContext, type Pending } from './apply-chunk.js';
import { e164Of } from './apply-target.js';
import { envKeySecrets, openLegacyKeys, type KeySecretReader } from './legacy-keys.js';
import { checkMapping } from './mapping-check.js';
import { parseMapping, type ImportMapping, type SourceSpec } from './mapping-schema.js';
import {
  count,
  finish,
  newReport,
  shownId,
  type ImportReport,
  type RecordRef,
} from './import-report.js';
import type { SourceRecord } from './read-input.js';
import { holds, readTarget, valueAt } from './record-values.js';
import { wantedOf, type Fields } from './target-state.js';
import type { TargetType } from './targets.js';
import { resolveTenants } from './tenant-resolver.js';

/** Stored-format relevant: changing a purpose makes every record look new. Do not change. */
const RECORD_PURPOSE = 'telvault/import-record/v1';
const FINGERPRINT_PURPOSE = 'telvault/import-fingerprint/v1';
const CHUNK = 200;

export interface ImportServices extends ApplyServices {
  db: Database;
  /** A chunk's writes are held in a record batch and committed in one transaction. */
  records: Pick<EncryptedRecords, 'batch'>;
  keys: Pick<KeyService, 'rateLimitKey' | 'ensureSystemKey'>;
  tenants: Pick<TenantAdmin, 'ensureExternal' | 'findByExternalId' | 'exists'>;
}

export interface ImportOptions {
  /** Decode and check everything, write nothing. */
  dryRun?: boolean;
  /** Write records whose target holds other values than this import wrote (else: conflicts). */
  replaceExisting?: boolean;
  /** Let keys with scheme `plaintext` be used. */
  allowPlaintext?: boolean;
  /** Where keys' secrets come from (default: the environment variables the mapping names). */
  keySecrets?: KeySecretReader;
  actor?: Actor;
  onProgress?: (p: { done: number; total: number }) => void;
}

/** Records by source name, or one list when the mapping has one source. */
export type ImportInput =
  Readonly<Record<string, readonly SourceRecord[]>> | readonly SourceRecord[];

function recordsOf(
  input: ImportInput,
  mapping: ImportMapping,
  s: SourceSpec,
): readonly SourceRecord[] {
  if (Array.isArray(input)) {
    if (mapping.sources.length !== 1)
      throw new TelvaultError('ERR_IMPORT_INPUT_INVALID', 'records: give them by source name');
    return input as readonly SourceRecord[];
  }
  return (input as Readonly<Record<string, readonly SourceRecord[]>>)[s.name] ?? [];
}

async function hasSystemKey(keys: ImportServices['keys']): Promise<boolean> {
  try {
    await keys.rateLimitKey(JSON.stringify([RECORD_PURPOSE, 'probe']));
    return true;
  } catch (err) {
    if (err instanceof TelvaultError && err.code === 'ERR_KEYS_MISSING') return false;
    throw err;
  }
}

/** Stored-format relevant (the fingerprint's input): sorted [field, value] pairs. */
function canonical(fields: Fields): string {
  return JSON.stringify(
    Object.keys(fields)
      .sort()
      .map((k) => [k, fields[k]]),
  );
}

export async function importRecords(
  services: ImportServices,
  mappingInput: unknown,
  input: ImportInput,
  options: ImportOptions = {},
): Promise<ImportReport> {
  const started = Date.now();
  const dryRun = options.dryRun ?? false;
  const actor = options.actor ?? { kind: 'system', name: 'import' };
  const mapping = parseMapping(mappingInput);
  checkMapping(mapping, options.allowPlaintext ?? false);
  const keys = openLegacyKeys(mapping, options.keySecrets ?? envKeySecrets(process.env));
  const report = newReport(dryRun);
  report.keys = keys.derivations;
  const total = mapping.sources.reduce((n, s) => n + recordsOf(input, mapping, s).length, 0);
  const tenants = resolveTenants(services.tenants, mapping, dryRun, actor, report);
  // Shared SIP passwords, by an HMAC under a key of this run only (nothing of them is kept).
  const runKey = randomBytes(32);
  const shared = new Map<string, { tenants: Set<string>; refs: RecordRef[] }>();
  const numbers = new Set<string>();
  // The record keys and fingerprints are HMACs under the system key; a dry run on a database that
  // never had one (nothing imported yet) creates none: every record is then new.
  const fresh = dryRun ? !(await hasSystemKey(services.keys)) : false;
  if (!dryRun) await services.keys.ensureSystemKey();
  let probe = 0;
  const mac = async (k: string, parts: unknown[]) =>
    fresh ? `fresh:${(probe += 1)}` : services.keys.rateLimitKey(JSON.stringify([k, ...parts]));
  const fingerprintOf = (identity: string, type: TargetType, fields: Fields) =>
    mac(FINGERPRINT_PURPOSE, [identity, type, canonical(fields)]);
  const ctx: ChunkContext = {
    dryRun,
    replaceExisting: options.replaceExisting ?? false,
    actor,
    fingerprint: (p, fields) => fingerprintOf(p.identity, p.type, fields),
  };
  let done = 0;

  for (const [si, source] of mapping.sources.entries()) {
    const records = recordsOf(input, mapping, source);
    for (let start = 0; start < records.length; start += CHUNK) {
      const pending: Pending[] = [];
      for (const record of records.slice(start, start + CHUNK)) {
        report.records += 1;
        if (!holds(record, source.where)) continue;
        const rawId = valueAt(record, source.id);
        const id = typeof rawId === 'string' || typeof rawId === 'number' ? String(rawId) : '';
        for (const [ti, target] of source.targets.entries()) {
          if (!holds(record, target.where)) continue;
          const ref = {
            source: source.name,
            record: id === '' ? `#${start + 1}` : shownId(id),
            target: target.type,
          };
          if (id === '') {
            report.doubtful.push({ ...ref, field: source.id, rule: 'is required (the record id)' });
            count(report, target.type, 'doubtful');
            continue;
          }
          if (target.type === 'rate-limit') {
            count(report, target.type, 'dropped');
            continue;
          }
          const read = readTarget(record, target, keys.decoders);
          if (!read.ok) {
            for (const i of read.issues) report.doubtful.push({ ...ref, ...i });
            count(report, target.type, 'doubtful');
            continue;
          }
          const tenant = await tenants.of(si, record);
          if ('issue' in tenant) {
            report.doubtful.push({ ...ref, field: 'tenant', rule: tenant.issue });
            count(report, target.type, 'doubtful');
            continue;
          }
          if ('failed' in tenant) {
            report.failed.push({ ...ref, ...tenant.failed });
            count(report, target.type, 'failed');
            continue;
          }
          if (target.type === 'phone') {
            // Two records of one tenant with one number would make one phone: the second is doubtful.
            const h = `${tenant.identity}|${createHmac('sha256', runKey).update(e164Of(read.values)).digest('base64')}`;
            if (numbers.has(h)) {
              report.doubtful.push({
                ...ref,
                field: 'number',
                rule: 'must be unique in its tenant: another record has it',
              });
              count(report, target.type, 'doubtful');
              continue;
            }
            numbers.add(h);
          }
          const password = read.values['password'];
          if (target.type === 'trunk' && password !== undefined && !Array.isArray(password)) {
            const h = createHmac('sha256', runKey).update(password.reveal()).digest('base64');
            const entry = shared.get(h) ?? { tenants: new Set<string>(), refs: [] };
            entry.tenants.add(tenant.identity);
            entry.refs.push(ref);
            shared.set(h, entry);
          }
          if (tenant.id === undefined) {
            count(report, target.type, 'would-create'); // its tenant does not exist yet
            continue;
          }
          let wanted: Fields;
          try {
            wanted = wantedOf(target.type, read.values);
          } catch (err) {
            // The service's own input rules (names a field, never a value).
            if (!(err instanceof TelvaultError)) throw err;
            report.failed.push({ ...ref, code: err.code, message: err.message });
            count(report, target.type, 'failed');
            continue;
          }
          pending.push({
            ref,
            type: target.type,
            tenantId: tenant.id,
            identity: tenant.identity,
            values: read.values,
            wanted,
            recordKey: await mac(RECORD_PURPOSE, [source.name, id, ti, target.type]),
            fingerprint: await fingerprintOf(tenant.identity, target.type, wanted),
          });
        }
      }
      await applyChunk(services, pending, ctx, report);
      done += Math.min(CHUNK, records.length - start);
      options.onProgress?.({ done, total });
    }
  }
  for (const { tenants: t, refs } of shared.values()) {
    if (t.size < 2) continue;
    for (const ref of refs)
      report.rotate.push({ ...ref, reason: `SIP password shared by ${t.size} tenants: rotate it` });
  }
  return finish(report, started);
}
