// Which tenant a record belongs to: one fixed tenant, or the tenant with the record's external id,
// created (idempotently, by the tenant service) the first time it is seen; a dry run only looks.
import type { TenantId } from '../../crypto/index.js';
import { TelvaultError } from '../../errors.js';
import type { Actor } from '../audit/actor.js';
import type { TenantAdmin } from '../tenants/tenant-admin.js';
import { EXTERNAL_ID, EXTERNAL_ID_RULE } from '../tenants/tenant-schemas.js';
import type { ImportReport } from './import-report.js';
import type { ImportMapping } from './mapping-schema.js';
import type { SourceRecord } from './read-input.js';
import { plainValue } from './record-values.js';

/** `id` undefined: a dry run's tenant that does not exist yet. `identity`: what the record names. */
export type Resolution =
  | { id: TenantId | undefined; identity: string }
  | { issue: string }
  | { failed: { code: string; message: string } };

const NAME_MAX = 200;

export function resolveTenants(
  tenants: Pick<TenantAdmin, 'ensureExternal' | 'findByExternalId' | 'exists'>,
  mapping: ImportMapping,
  dryRun: boolean,
  actor: Actor,
  report: ImportReport,
) {
  const cache = new Map<string, Promise<Resolution>>();

  async function byExternal(externalId: string, name: string): Promise<Resolution> {
    const identity = `external:${externalId}`;
    try {
      if (dryRun) {
        const t = await tenants.findByExternalId(externalId);
        if (t === undefined) report.tenants.wouldCreate += 1;
        else report.tenants.existing += 1;
        return { id: t?.id, identity };
      }
      const { tenant, created } = await tenants.ensureExternal(externalId, name, actor);
      if (created) report.tenants.created += 1;
      else report.tenants.existing += 1;
      return { id: tenant.id, identity };
    } catch (err) {
      const known = err instanceof TelvaultError;
      return {
        failed: {
          code: known ? err.code : 'ERR_INTERNAL',
          message: known ? err.message : 'unexpected error',
        },
      };
    }
  }

  async function byId(id: TenantId): Promise<Resolution> {
    if (await tenants.exists(id)) return { id, identity: `tenant:${id}` };
    return { failed: { code: 'ERR_NOT_FOUND', message: 'tenant not found' } };
  }

  return {
    of(sourceIndex: number, record: SourceRecord): Promise<Resolution> {
      const spec = mapping.sources[sourceIndex]?.tenant;
      if (spec === undefined) return Promise.resolve({ issue: 'has no tenant mapping' });
      if ('id' in spec) {
        const key = `id:${spec.id}`;
        const hit = cache.get(key) ?? byId(spec.id as TenantId);
        cache.set(key, hit);
        return hit;
      }
      const raw = plainValue(record, spec.externalId);
      const externalId = typeof raw === 'number' ? String(raw) : raw;
      if (typeof externalId !== 'string' || !EXTERNAL_ID.test(externalId)) {
        return Promise.resolve({ issue: `externalId: ${EXTERNAL_ID_RULE}` });
      }
      const key = `external:${externalId}`;
      let hit = cache.get(key);
      if (hit === undefined) {
        const n = spec.name === undefined ? undefined : plainValue(record, spec.name);
        const name =
          typeof n === 'string' && n.trim().length > 0 ? n.trim().slice(0, NAME_MAX) : externalId;
        hit = byExternal(externalId, name);
        cache.set(key, hit);
      }
      return hit;
    },
  };
}
