// One chunk of planned writes. Each record is first judged against what its target holds now:
// the same values (unchanged, even when written through the API: the import record is kept so a
// later change at the source is an update); values this import wrote earlier (by the keyed
// fingerprint of the held values against the one the import record keeps), so the source's
// change is written (updated); nothing of it yet (created); or other values, not written by this
// import or changed since it wrote them: a conflict, not written and reported by field name, or,
// with replaceExisting, written and reported as replaced. A dry run only counts what it would do.
// The writes are held in a record batch, then the chunk's writes and its import records committed
// in one transaction. When that transaction cannot commit (a race, or two records of the chunk
// writing one row), nothing of it is written and the chunk is judged and written again one record
// at a time. A service error is a failed record (its code and message, which name fields, never
// values); any other error is shown as nothing but ERR_INTERNAL.
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
import {
  count,
  type ImportReport,
  type Outcome as ReportOutcome,
  type RecordRef,
} from './import-report.js';
import type { ImportServices } from './import-service.js';
import type { Values } from './record-values.js';
import { compare, heldBy, projected, type Fields } from './target-state.js';
import type { TargetType } from './targets.js';

export interface Pending {
  ref: RecordRef;
  type: TargetType;
  tenantId: TenantId;
  /** The tenant as the record names it (part of the fingerprint). */
  identity: string;
  values: Values;
  /** The fields the record writes, as the target stores them. */
  wanted: Fields;
  recordKey: string;
  fingerprint: string;
}

export interface ChunkContext {
  dryRun: boolean;
  replaceExisting: boolean;
  actor: Actor;
  /** The keyed fingerprint of a target's fields (the import record's, for `wanted`). */
  fingerprint: (p: Pending, fields: Fields) => Promise<string>;
}

const NOT_OURS = 'the target holds other values, not written by this import';
const CHANGED = 'the target changed since this import wrote it';

type Verdict =
  | { kind: 'create' | 'update' | 'unchanged'; ref?: string | undefined }
  | { kind: 'conflict'; fields: string[]; reason: string; ref?: string | undefined };

/** What the record would do to its target as the target is now. */
async function judge(
  services: ImportServices,
  p: Pending,
  prev: ImportRecordRow | undefined,
  ctx: ChunkContext,
): Promise<Verdict> {
  const held = await heldBy(services, p.type, p.tenantId, p.values);
  if (held === null) {
    // No check applies (a named secret): the import record's fingerprint alone says.
    if (prev === undefined) return { kind: 'create' };
    return { kind: prev.fingerprint === p.fingerprint ? 'unchanged' : 'update' };
  }
  if (held === undefined) return { kind: 'create' };
  const { ref } = held;
  const { differ, absent } = compare(p.wanted, held.fields);
  if (differ.length === 0) {
    if (absent.length === Object.keys(p.wanted).length) return { kind: 'create', ref };
    return { kind: absent.length === 0 ? 'unchanged' : 'update', ref };
  }
  // Still what this import wrote: the source changed, the target did not.
  if (
    prev !== undefined &&
    (await ctx.fingerprint(p, projected(p.wanted, held.fields))) === prev.fingerprint
  )
    return { kind: 'update', ref };
  return { kind: 'conflict', fields: differ, reason: prev === undefined ? NOT_OURS : CHANGED, ref };
}

interface Outcome {
  p: Pending;
  /** The import record to save; undefined when nothing is recorded (a failure, a conflict). */
  row?: ImportRecordRow;
  outcome: ReportOutcome;
  error?: { code: string; message: string };
  conflict?: { fields: string[]; reason: string };
}

function rowOf(p: Pending, prev: ImportRecordRow | undefined, targetRef: string): ImportRecordRow {
  const now = nowIso();
  return {
    record_key: p.recordKey,
    tenant_id: p.tenantId,
    target: p.type,
    target_ref: targetRef,
    fingerprint: p.fingerprint,
    created_at: prev?.created_at ?? now,
    updated_at: now,
  };
}

/** The ref an unchanged target is recorded by (its service's key: provider, phone id, trunk). */
function refOf(p: Pending, verdict: Verdict, prev: ImportRecordRow | undefined): string {
  if (verdict.ref !== undefined) return verdict.ref;
  if (p.type.startsWith('credentials:')) return p.type.slice('credentials:'.length);
  if (p.type === 'trunk') return 'trunk';
  return prev?.target_ref ?? p.tenantId;
}

/** Writes one record (held, inside a batch run) and says what became of it. */
async function attempt(
  services: ImportServices,
  p: Pending,
  prev: ImportRecordRow | undefined,
  outcome: ReportOutcome,
  actor: Actor,
  write: (fn: () => Promise<string>) => Promise<string>,
): Promise<Outcome> {
  try {
    const targetRef = await write(() =>
      applyTarget(services, p.type, p.tenantId, p.values, prev?.target_ref, actor),
    );
    return { p, row: rowOf(p, prev, targetRef), outcome };
  } catch (err) {
    // Service errors name the field and the rule; anything else is not shown at all.
    const known = err instanceof TelvaultError;
    return {
      p,
      outcome: 'failed',
      error: {
        code: known ? err.code : 'ERR_INTERNAL',
        message: known ? err.message : 'unexpected error',
      },
    };
  }
}

/** Judges one record and, unless it is unchanged or a conflict left alone, writes it. */
async function decide(
  services: ImportServices,
  p: Pending,
  known: ReadonlyMap<string, ImportRecordRow>,
  ctx: ChunkContext,
  write: ((fn: () => Promise<string>) => Promise<string>) | undefined,
): Promise<Outcome> {
  const found = known.get(p.recordKey);
  const prev = found !== undefined && found.tenant_id === p.tenantId ? found : undefined;
  const verdict = await judge(services, p, prev, ctx);
  if (verdict.kind === 'unchanged') {
    // Recorded (also when the API wrote these values) so a later change at the source is an update.
    const keep = prev !== undefined && prev.fingerprint === p.fingerprint;
    return {
      p,
      outcome: 'unchanged',
      ...(keep || ctx.dryRun ? {} : { row: rowOf(p, prev, refOf(p, verdict, prev)) }),
    };
  }
  const conflict =
    verdict.kind === 'conflict' ? { fields: verdict.fields, reason: verdict.reason } : undefined;
  if (conflict !== undefined && !ctx.replaceExisting) return { p, outcome: 'conflict', conflict };
  const outcome: ReportOutcome =
    conflict !== undefined ? 'replaced' : verdict.kind === 'update' ? 'updated' : 'created';
  if (ctx.dryRun || write === undefined) {
    const would: ReportOutcome =
      outcome === 'replaced'
        ? 'would-replace'
        : outcome === 'updated'
          ? 'would-update'
          : 'would-create';
    return { p, outcome: would, ...(conflict === undefined ? {} : { conflict }) };
  }
  const done = await attempt(services, p, prev, outcome, ctx.actor, write);
  return conflict !== undefined && done.error === undefined ? { ...done, conflict } : done;
}

function settle(outcomes: readonly Outcome[], report: ImportReport): void {
  for (const o of outcomes) {
    count(report, o.p.type, o.outcome);
    if (o.error !== undefined) report.failed.push({ ...o.p.ref, ...o.error });
    else if (o.conflict !== undefined) {
      const list = o.outcome === 'conflict' ? report.conflicts : report.replaced;
      list.push({ ...o.p.ref, ...o.conflict });
    }
  }
}

const rowsOf = (outcomes: readonly Outcome[]): ImportRecordRow[] =>
  outcomes.flatMap((o) => (o.row === undefined ? [] : [o.row]));

export async function applyChunk(
  services: ImportServices,
  pending: readonly Pending[],
  ctx: ChunkContext,
  report: ImportReport,
): Promise<void> {
  if (pending.length === 0) return;
  const known = await findImportRecords(
    services.db,
    pending.map((p) => p.recordKey),
  );
  if (ctx.dryRun) {
    const judged: Outcome[] = [];
    for (const p of pending) judged.push(await decide(services, p, known, ctx, undefined));
    settle(judged, report);
    return;
  }
  // The chunk's writes and its import records in one transaction.
  const batch = services.records.batch();
  const held: Outcome[] = [];
  for (const p of pending) {
    held.push(await decide(services, p, known, ctx, (fn) => batch.run(fn)));
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
  // nothing of it was written; one record at a time, each judged again and written in its own
  // transaction.
  const one: Outcome[] = [];
  for (const p of pending) one.push(await decide(services, p, known, ctx, (fn) => fn()));
  await saveImportRecords(services.db, rowsOf(one));
  settle(one, report);
}
