// Stored records as views: sealed fields opened with the registry's context, numbers and addresses
// masked and content left out for the root token (it administers tenants, it does not read their
// traffic).
import type { TenantId } from '../../crypto/index.js';
import type { EncryptedRecords, StoredRecord } from '../records/index.js';
import { maskPhones } from '../common/index.js';
import { ACTIVITY_TABLES, type ActivityError } from './activity-records.js';
import type { ActivityKind } from './activity-status.js';
import type { CallView, EmailView, MessageView } from './activity-schemas.js';

const str = (r: StoredRecord, column: string): string | null => {
  const v = r.row[column];
  return typeof v === 'string' ? v : null;
};

function errorOf(r: StoredRecord): ActivityError | null {
  const text = str(r, 'error_json');
  if (text === null) return null;
  try {
    const e = JSON.parse(text) as Partial<ActivityError>;
    return typeof e.code === 'string'
      ? {
          code: e.code,
          ...(typeof e.status === 'number' ? { status: e.status } : {}),
          ...(typeof e.providerCode === 'string' || typeof e.providerCode === 'number'
            ? { providerCode: e.providerCode }
            : {}),
          retryable: e.retryable === true,
        }
      : null;
  } catch {
    return null;
  }
}

/** `ana@example.com` → `a***@example.com`. */
export function maskAddress(address: string): string {
  const at = address.lastIndexOf('@');
  return at <= 0 ? '***' : `${address.slice(0, 1)}***${address.slice(at)}`;
}

function common(r: StoredRecord) {
  return {
    id: r.row.id,
    providerId: str(r, 'provider_id'),
    status: str(r, 'status') ?? 'queued',
    error: errorOf(r),
    createdAt: String(r.row['created_at']),
    updatedAt: String(r.row['updated_at']),
  };
}

/**
 * A view made for the tenant, as the root token sees it: numbers and addresses masked, content
 * left out. For stored answers replayed to another viewer (an Idempotency-Key's first answer).
 */
export function viewForRoot(kind: ActivityKind, view: unknown): unknown {
  if (view === null || typeof view !== 'object') return view;
  if (kind === 'email') {
    const { from: _from, subject: _subject, ...rest } = view as EmailView;
    return { ...rest, to: rest.to.map(maskAddress) };
  }
  const { body: _body, ...rest } = view as MessageView;
  return { ...rest, to: maskPhones(rest.to) };
}

export function createActivityViews(records: EncryptedRecords) {
  const open = async (kind: ActivityKind, tenantId: TenantId, r: StoredRecord, field: string) =>
    (await records.open(ACTIVITY_TABLES[kind], tenantId, r, field))?.reveal();

  return {
    async call(tenantId: TenantId, r: StoredRecord, shown: boolean): Promise<CallView> {
      const to = (await open('call', tenantId, r, 'to')) ?? '';
      return {
        ...common(r),
        provider: (str(r, 'provider') ?? 'twilio') as CallView['provider'],
        phoneId: str(r, 'phone_id'),
        to: shown ? to : maskPhones(to),
        agentId: str(r, 'agent_id'),
      };
    },

    async message(tenantId: TenantId, r: StoredRecord, shown: boolean): Promise<MessageView> {
      const to = (await open('message', tenantId, r, 'to')) ?? '';
      const body = shown ? await open('message', tenantId, r, 'content') : undefined;
      return {
        ...common(r),
        provider: 'twilio',
        phoneId: str(r, 'phone_id'),
        to: shown ? to : maskPhones(to),
        ...(body === undefined ? {} : { body }),
      };
    },

    async email(tenantId: TenantId, r: StoredRecord, shown: boolean): Promise<EmailView> {
      const to = JSON.parse((await open('email', tenantId, r, 'to')) ?? '[]') as string[];
      const content = shown ? await open('email', tenantId, r, 'content') : undefined;
      const c = content === undefined ? {} : (JSON.parse(content) as Partial<EmailView>);
      return {
        ...common(r),
        provider: 'sendgrid',
        to: shown ? to : to.map(maskAddress),
        ...(typeof c.from === 'string' ? { from: c.from } : {}),
        ...(typeof c.subject === 'string' ? { subject: c.subject } : {}),
      };
    },
  };
}

export type ActivityViews = ReturnType<typeof createActivityViews>;
