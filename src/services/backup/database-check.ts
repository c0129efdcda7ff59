// The check of a whole database after a restore (`telvault restore`, `telvault backup --verify`):
// every wrapped key unwraps with the configured master keys, every key a stored row needs is there
// and not retired, every audit stream verifies (against a head line taken before the backup, when
// given one), and how many rows each table holds.
import type { MasterKeys } from '../keys/master-keys.js';
import { findUnwrapProblems } from '../keys/unwrap-check.js';
import { inspectKeys } from '../keys/startup-key-check.js';
import { createAuditService } from '../audit/index.js';
import type { VerifyProblem } from '../audit/audit-service.js';
import { TelvaultError } from '../../errors.js';
import type { Database, TableName } from '../../store/database.js';
import { listAllTenantKeys } from '../../store/tenant-key-repo.js';
import { countRows } from '../../store/table-copy.js';

/** The tables whose rows are counted (the ones a platform's data lives in). */
export const COUNTED_TABLES = [
  'tenants',
  'tenant_keys',
  'api_tokens',
  'credentials',
  'secrets',
  'phones',
  'sip_trunks',
  'call_records',
  'message_records',
  'email_records',
  'idempotency_keys',
  'audit_events',
] as const satisfies readonly TableName[];

export interface KeyProblemView {
  tenantId: string | null;
  kind: string;
  version: number;
  /** The master key that wraps it (null: the key row itself is missing). */
  masterKeyId: string | null;
  problem: 'master-key-unknown' | 'unwrap-failed' | 'missing' | 'retired';
}

export interface AuditCheckView {
  ok: boolean;
  streams: number;
  events: number;
  problems: VerifyProblem[];
  /** With a head line: when it was taken and how many streams it holds. */
  anchor?: { at: string; streams: number };
  /** Why the log could not be checked at all (its key is missing or does not unwrap). */
  unchecked?: string;
}

export interface DatabaseCheck {
  ok: boolean;
  keys: {
    /** Wrapped keys tried, and how many of them unwrapped. */
    checked: number;
    unwrapped: number;
    masterKeyIds: string[];
    problems: KeyProblemView[];
  };
  audit: AuditCheckView;
  counts: Record<(typeof COUNTED_TABLES)[number], number>;
}

async function checkKeys(db: Database, masterKeys: MasterKeys): Promise<DatabaseCheck['keys']> {
  const rows = await listAllTenantKeys(db);
  const problems: KeyProblemView[] = findUnwrapProblems(rows, masterKeys);
  const unwrapped = rows.length - problems.length;
  // Keys that stored rows need but that are gone or retired (the start-up check's own findings).
  for (const p of (await inspectKeys(db, masterKeys)).problems) {
    if (p.problem === 'missing' || p.problem === 'retired') {
      problems.push({ ...p, masterKeyId: null, problem: p.problem });
    }
  }
  const masterKeyIds = [...new Set(rows.map((r) => r.master_key_id))].sort();
  return { checked: rows.length, unwrapped, masterKeyIds, problems };
}

function notChecked(reason: string): AuditCheckView {
  return { ok: false, streams: 0, events: 0, problems: [], unchecked: reason };
}

async function checkAudit(
  db: Database,
  masterKeys: MasterKeys,
  headLine: string | undefined,
): Promise<AuditCheckView> {
  // Without its key the audit service would create one: a check must never write it.
  const auditKeys = (await listAllTenantKeys(db)).filter(
    (k) => k.tenant_id === null && k.kind === 'audit',
  );
  if (auditKeys.length === 0) return notChecked('the audit key is missing');
  const audit = createAuditService({ db, masterKeys });
  try {
    return await audit.verify(headLine === undefined ? {} : { headLine });
  } catch (err) {
    // A head line that is not one of this deployment's is the caller's mistake, said as such.
    if (err instanceof TelvaultError && err.code === 'ERR_AUDIT_HEAD_INVALID') throw err;
    const why = err instanceof TelvaultError ? err.message : 'the audit log could not be read';
    return notChecked(why);
  }
}

async function countTables(db: Database): Promise<DatabaseCheck['counts']> {
  const counts = {} as DatabaseCheck['counts'];
  for (const t of COUNTED_TABLES) counts[t] = await countRows(db, t);
  return counts;
}

export async function checkDatabase(
  db: Database,
  masterKeys: MasterKeys,
  options: { headLine?: string | undefined } = {},
): Promise<DatabaseCheck> {
  const keys = await checkKeys(db, masterKeys);
  const audit = await checkAudit(db, masterKeys, options.headLine);
  const counts = await countTables(db);
  return { ok: keys.problems.length === 0 && audit.ok, keys, audit, counts };
}
