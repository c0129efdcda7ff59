// The checks after the copy: every table's row count and keyed digest (store/table-digest.ts, a
// random key per run) on the source's snapshot and on the target, and every audit chain verified
// on the target with the audit service's own walk (on the source too, so a chain broken before the
// copy is told apart from one the copy broke). Read only, on both sides.
import { randomBytes } from 'node:crypto';
import type { AuditMacs } from '../../crypto/index.js';
import type { Database } from '../../store/database.js';
import { COPY_TABLES, type CopiedTable } from '../../store/table-copy.js';
import { digestTable } from '../../store/table-digest.js';
import { verifyAudit, type VerifyResult } from '../audit/audit-verify.js';

export interface TableCheck {
  table: CopiedTable;
  sourceRows: number;
  targetRows: number;
  /** The keyed digests are equal (the digests themselves are not shown: random key, no use). */
  digestMatch: boolean;
}

export interface AuditCheck {
  streams: number;
  events: number;
  sourceOk: boolean;
  targetOk: boolean;
  /** The target's first fault per broken stream: stream, seq, reason (no values). */
  problems: string[];
}

export interface VerifyOutcome {
  tables: TableCheck[];
  /** null: the source has no audit key (it never ran), so no chain to check. */
  audit: AuditCheck | null;
}

function auditCheck(source: VerifyResult, target: VerifyResult): AuditCheck {
  return {
    streams: target.streams,
    events: target.events,
    sourceOk: source.ok,
    targetOk: target.ok,
    problems: target.problems.map(
      (p) => `stream ${p.tenantId ?? 'operator'} at seq ${p.seq}: ${p.reason}`,
    ),
  };
}

export async function verifyCopy(
  src: Database,
  target: Database,
  macs: AuditMacs | undefined,
  options: { batchSize: number; onRows?: (n: number) => void },
): Promise<VerifyOutcome> {
  const key = randomBytes(32);
  const tables: TableCheck[] = [];
  for (const spec of COPY_TABLES) {
    const digestOptions = {
      batchSize: options.batchSize,
      ...(options.onRows === undefined ? {} : { onRows: options.onRows }),
    };
    const a = await digestTable(src, spec, key, digestOptions);
    const b = await digestTable(target, spec, key, digestOptions);
    tables.push({
      table: spec.table,
      sourceRows: a.rows,
      targetRows: b.rows,
      digestMatch: a.digest === b.digest,
    });
  }
  key.fill(0);
  const audit =
    macs === undefined
      ? null
      : auditCheck(await verifyAudit(src, macs), await verifyAudit(target, macs));
  return { tables, audit };
}
