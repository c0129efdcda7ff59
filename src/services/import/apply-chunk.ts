// One chunk of planned writes: each record skipped while its fingerprint is unchanged (a dry run
// only counts what it would do), else written through its service; then the chunk's import
// records saved in one transaction. A service error is a failed record (its code and message,
// which name fields, never values); any other error is shown as nothing but ERR_INTERNAL.
import type { TenantId } from '../../crypto/index.js';
import { TelvaultError } from '../../errors.js';
import {
  findImportRecords,
  saveImportRecords,
  type ImportRecordRow,
} from '../../store/import-record-repo.js';
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
  const rows: ImportRecordRow[] = [];
  for (const p of pending) {
    const prev = known.get(p.recordKey);
    const same = prev !== undefined && prev.tenant_id === p.tenantId;
    if (same && prev.fingerprint === p.fingerprint) {
      count(report, p.type, 'unchanged');
      continue;
    }
    if (dryRun) {
      count(report, p.type, same ? 'would-update' : 'would-create');
      continue;
    }
    try {
      const targetRef = await applyTarget(
        services,
        p.type,
        p.tenantId,
        p.values,
        same ? prev.target_ref : undefined,
        actor,
      );
      const now = nowIso();
      rows.push({
        record_key: p.recordKey,
        tenant_id: p.tenantId,
        target: p.type,
        target_ref: targetRef,
        fingerprint: p.fingerprint,
        created_at: prev?.created_at ?? now,
        updated_at: now,
      });
      count(report, p.type, same ? 'updated' : 'created');
    } catch (err) {
      // Service errors name the field and the rule; anything else is not shown at all.
      const known = err instanceof TelvaultError;
      report.failed.push({
        ...p.ref,
        code: known ? err.code : 'ERR_INTERNAL',
        message: known ? err.message : 'unexpected error',
      });
      count(report, p.type, 'failed');
    }
  }
  await saveImportRecords(services.db, rows);
}
