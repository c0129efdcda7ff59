// One chunk of planned writes: each record skipped while its fingerprint is unchanged (a dry run
// only counts what it would do), else written through its service with the write held in a record
// batch; then the chunk's writes and its import records committed in one transaction. When that
// transaction cannot commit (a race, or two records of the chunk writing one row), nothing of it is
// written and the chunk is written again one record at a time. A service error is a failed record (its code and message,
// which name fields, never values); any other error is shown as nothing but ERR_INTERNAL.
import type { TenantId } from '../../crypto/index.js';
import { TelvaultError } from '../../errors.js';
import {
  findImportRecords,
  saveImportRecords,
  upsertImportRecords,
  type ImportRecordRow,
} from '../../store/import-record-repo.js';
import { isUniqueViolation, StaleRead } from '../keys/sealing.js';
import { nowIso } from '../../store/time.js';
import type { Actor } from '../audit/actor.js';
import { applyTarget } from './apply-target.js';
import { count, type ImportReport, type RecordRef } from './import-report.js';
import type { ImportServices } from './import-service.js';
import type { Values } from './record-values.js';
import type { TargetType } from './targets.js';

export interface Pending {
  ref: RecordRef;
  type: TargetType;
  tenantId: TenantId;
  values: Values;
  recordKey: string;
  fingerprint: string;
}

interface Outcome {
  p: Pending;
  /** The import record to save; undefined when the write failed. */
  row?: ImportRecordRow;
  updated: boolean;
  error?: { code: string; message: string };
}

/** Writes one record (held, inside a batch run) and says what became of it. */
async function attempt(
  services: ImportServices,
  p: Pending,
  prev: ImportRecordRow | undefined,
  actor: Actor,
  write: (fn: () => Promise<string>) => Promise<string>,
): Promise<Outcome> {
  const same = prev !== undefined && prev.tenant_id === p.tenantId;
  try {
    const targetRef = await write(() =>
      applyTarget(
        services,
        p.type,
        p.tenantId,
        p.values,
        same ? prev.target_ref : undefined,
        actor,
      ),
    );
    const now = nowIso();
    const row: ImportRecordRow = {
      record_key: p.recordKey,
      tenant_id: p.tenantId,
      target: p.type,
      target_ref: targetRef,
      fingerprint: p.fingerprint,
      created_at: prev?.created_at ?? now,
      updated_at: now,
    };
    return { p, row, updated: same };
  } catch (err) {
    // Service errors name the field and the rule; anything else is not shown at all.
    const known = err instanceof TelvaultError;
    return {
      p,
      updated: same,
      error: {
        code: known ? err.code : 'ERR_INTERNAL',
        message: known ? err.message : 'unexpected error',
      },
    };
  }
}

function settle(outcomes: readonly Outcome[], report: ImportReport): void {
  for (const o of outcomes) {
    if (o.error !== undefined) {
      report.failed.push({ ...o.p.ref, ...o.error });
      count(report, o.p.type, 'failed');
    } else count(report, o.p.type, o.updated ? 'updated' : 'created');
  }
}

const rowsOf = (outcomes: readonly Outcome[]): ImportRecordRow[] =>
  outcomes.flatMap((o) => (o.row === undefined ? [] : [o.row]));

export async function applyChunk(
  services: ImportServices,
  pending: readonly Pending[],
  dryRun: boolean,
  actor: Actor,
  report: ImportReport,
): Promise<void> {
  const known = await findImportRecords(
    services.db,
    pending.map((p) => p.recordKey),
  );
  const todo: Pending[] = [];
  for (const p of pending) {
    const prev = known.get(p.recordKey);
    const same = prev !== undefined && prev.tenant_id === p.tenantId;
    if (same && prev.fingerprint === p.fingerprint) count(report, p.type, 'unchanged');
    else if (dryRun) count(report, p.type, same ? 'would-update' : 'would-create');
    else todo.push(p);
  }
  if (todo.length === 0) return;
  // The chunk's writes and its import records in one transaction.
  const batch = services.records.batch();
  const held: Outcome[] = [];
  for (const p of todo) {
    held.push(await attempt(services, p, known.get(p.recordKey), actor, (fn) => batch.run(fn)));
  }
  try {
    await batch.commit((trx) => upsertImportRecords(trx, rowsOf(held)));
    settle(held, report);
    return;
  } catch (err) {
    if (!(err instanceof StaleRead) && !(err instanceof TelvaultError) && !isUniqueViolation(err))
      throw err;
  }
  // The batch raced another writer or wrote one row twice (two records naming one number):
  // nothing of it was written; one record at a time, each write in its own transaction.
  const one: Outcome[] = [];
  for (const p of todo) {
    one.push(await attempt(services, p, known.get(p.recordKey), actor, (fn) => fn()));
  }
  await saveImportRecords(services.db, rowsOf(one));
  settle(one, report);
}
