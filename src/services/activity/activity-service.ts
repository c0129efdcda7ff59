// Reading the records of what a tenant sent (scope activity:read): pages in id order (UUIDv7: the
// order they were made), filtered by status, and single records.
import type { TenantId } from '../../crypto/index.js';
import { TelvaultError } from '../../errors.js';
import type { EncryptedRecords, StoredRecord } from '../records/index.js';
import { ACTIVITY_TABLES } from './activity-records.js';
import type { ActivityListQuery, CallView, EmailView, MessageView } from './activity-schemas.js';
import type { ActivityKind } from './activity-status.js';
import { createActivityViews } from './activity-views.js';

const DEFAULT_PAGE = 50;

/** The view of each kind of record. */
export interface ActivityViewsByKind {
  call: CallView;
  message: MessageView;
  email: EmailView;
}

export function createActivityService(records: EncryptedRecords) {
  const views = createActivityViews(records);
  const viewOf = <K extends ActivityKind>(
    kind: K,
    tenantId: TenantId,
    r: StoredRecord,
    shown: boolean,
  ): Promise<ActivityViewsByKind[K]> =>
    views[kind](tenantId, r, shown) as Promise<ActivityViewsByKind[K]>;

  return {
    views,

    async get<K extends ActivityKind>(
      kind: K,
      tenantId: TenantId,
      id: string,
      shown: boolean,
    ): Promise<ActivityViewsByKind[K]> {
      const r = await records.find(ACTIVITY_TABLES[kind], tenantId, { id });
      if (r === undefined) throw new TelvaultError('ERR_NOT_FOUND', `${kind} not found`);
      return viewOf(kind, tenantId, r, shown);
    },

    async list<K extends ActivityKind>(
      kind: K,
      tenantId: TenantId,
      q: ActivityListQuery,
      shown: boolean,
    ): Promise<{ items: ActivityViewsByKind[K][]; nextCursor: string | null }> {
      const limit = q.limit ?? DEFAULT_PAGE;
      // One more than the page: whether there is a next one, without a count.
      const rows = await records.page(ACTIVITY_TABLES[kind], tenantId, {
        after: q.cursor,
        limit: limit + 1,
        where: q.status === undefined ? {} : { status: q.status },
      });
      const page = rows.slice(0, limit);
      return {
        items: await Promise.all(page.map((r) => viewOf(kind, tenantId, r, shown))),
        nextCursor: rows.length > limit ? (page.at(-1)?.row.id ?? null) : null,
      };
    },
  };
}

export type ActivityService = ReturnType<typeof createActivityService>;
