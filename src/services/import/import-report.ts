// The import's report: counts per target and outcome, doubtful records (record id, field, rule),
// failures (code and message, which name fields, never values), conflicts (a target holding other
// values than the source's, not written by this import: field names and the reason) and the ones
// replaced with --replace-existing, records whose SIP password is
// shared by several tenants (import them, then rotate), and each legacy key's derivation count.
// Nothing in it is a value; a source id that looks like a phone number is masked.
import { maskPhones } from '../common/phone-mask.js';

export type Outcome =
  | 'created'
  | 'updated'
  | 'unchanged'
  | 'replaced'
  | 'conflict'
  | 'would-create'
  | 'would-update'
  | 'would-replace'
  | 'doubtful'
  | 'failed'
  | 'dropped';

export interface RecordRef {
  source: string;
  record: string;
  target: string;
}

export interface ImportReport {
  dryRun: boolean;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  recordsPerSecond: number;
  records: number;
  /** target → outcome → count. */
  targets: Record<string, Partial<Record<Outcome, number>>>;
  tenants: { created: number; existing: number; wouldCreate: number };
  doubtful: (RecordRef & { field: string; rule: string })[];
  failed: (RecordRef & { code: string; message: string })[];
  /** Not written: the target holds other values (names of the fields that differ, and why). */
  conflicts: (RecordRef & { fields: string[]; reason: string })[];
  /** Conflicts written anyway (replaceExisting): what was replaced, by field name. */
  replaced: (RecordRef & { fields: string[]; reason: string })[];
  /** Imported, but their SIP password is shared with other tenants: rotate it. */
  rotate: (RecordRef & { reason: string })[];
  keys: Record<string, { scheme: string; derived: number }>;
}

export function newReport(dryRun: boolean): ImportReport {
  return {
    dryRun,
    startedAt: new Date().toISOString(),
    finishedAt: '',
    durationMs: 0,
    recordsPerSecond: 0,
    records: 0,
    targets: {},
    tenants: { created: 0, existing: 0, wouldCreate: 0 },
    doubtful: [],
    failed: [],
    conflicts: [],
    replaced: [],
    rotate: [],
    keys: {},
  };
}

/** A source id as the report shows it. */
export function shownId(id: string): string {
  return maskPhones(id.slice(0, 128));
}

export function count(report: ImportReport, target: string, outcome: Outcome): void {
  const t = (report.targets[target] ??= {});
  t[outcome] = (t[outcome] ?? 0) + 1;
}

export function finish(report: ImportReport, started: number): ImportReport {
  report.finishedAt = new Date().toISOString();
  report.durationMs = Date.now() - started;
  report.recordsPerSecond =
    report.durationMs === 0
      ? report.records
      : Math.round((report.records * 1000) / report.durationMs);
  return report;
}

/** The exit code the CLI answers: 0 all imported, 1 something doubtful, failed or in conflict. */
export function exitCodeOf(report: ImportReport): 0 | 1 {
  return report.doubtful.length > 0 || report.failed.length > 0 || report.conflicts.length > 0
    ? 1
    : 0;
}
