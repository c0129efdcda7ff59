// The call, message and email records, written through the one encrypted-record path: created
// (status queued) before the provider is asked, settled with the provider's id and status or the
// typed failure after, and moved forward by status callbacks. The destination is sealed (and, for
// a number, blind-indexed); an SMS body and an email's from and subject are sealed as `content`.
import type { Secret, TenantId } from '../../crypto/index.js';
import { TelvaultError } from '../../errors.js';
import { ProviderError } from '../../providers/provider-error.js';
import type { EncryptedTableName } from '../../store/encrypted-fields.js';
import type { Actor } from '../audit/actor.js';
import type { EncryptedRecords, StoredRecord } from '../records/index.js';
import { statusRank, type ActivityKind } from './activity-status.js';

export const ACTIVITY_TABLES: Readonly<Record<ActivityKind, EncryptedTableName>> = {
  call: 'call_records',
  message: 'message_records',
  email: 'email_records',
};

/** A failed provider call as a record keeps it: codes and statuses, never vendor text. */
export interface ActivityError {
  code: string;
  status?: number;
  providerCode?: string | number;
  retryable: boolean;
}

export interface NewActivity {
  kind: ActivityKind;
  id: string;
  tenantId: TenantId;
  provider: string;
  phoneId: string | null;
  agentId?: string | null;
  /** A number (sealed and blind-indexed), or an email's addresses (sealed as a JSON list). */
  to: { e164: Secret<string>; normalizerVersion: number } | { json: Secret<string> };
  content?: Secret<string>;
  hookTokenHash?: string;
  actor: Actor;
}

export type Settlement =
  | { providerId: string | null; status: string }
  | { error: ActivityError; providerId?: string | null };

/** The typed error a record keeps of a failure (ProviderError or TelvaultError; else internal). */
export function activityErrorOf(err: unknown): ActivityError {
  if (err instanceof ProviderError) {
    return {
      code: err.code,
      ...(err.status === undefined ? {} : { status: err.status }),
      ...(err.providerCode === undefined ? {} : { providerCode: err.providerCode }),
      retryable: err.retryable,
    };
  }
  if (err instanceof TelvaultError) return { code: err.code, retryable: false };
  return { code: 'ERR_INTERNAL', retryable: false };
}

/** What the provider answered: its id and our status for it. */
export interface ProviderAnswer {
  providerId: string | null;
  status: string;
}

/** A failure as the record keeps it and as the caller is told (default: the error itself). */
export type FailureOf = (err: unknown) => { error: ActivityError; thrown: unknown };

const asRecorded: FailureOf = (err) => ({ error: activityErrorOf(err), thrown: err });

/** Thrown by a plan to write nothing (the status would not move forward). */
class Unchanged extends Error {}

export function createActivityRecords(records: EncryptedRecords) {
  const sealedFields = (r: StoredRecord) => Object.keys(r.envelopes);

  const api = {
    async create(a: NewActivity): Promise<StoredRecord> {
      const seal: Record<string, Secret<string>> = {
        to: 'e164' in a.to ? a.to.e164 : a.to.json,
        ...(a.content === undefined ? {} : { content: a.content }),
      };
      return records.write({
        table: ACTIVITY_TABLES[a.kind],
        tenantId: a.tenantId,
        key: { id: a.id },
        plan: (existing) => {
          if (existing !== undefined)
            throw new TelvaultError('ERR_INTERNAL', `${a.kind}: a new id is already taken`);
          return {
            seal,
            keep: [],
            ...('e164' in a.to
              ? {
                  blindIndex: {
                    normalized: a.to.e164,
                    normalizerVersion: a.to.normalizerVersion,
                  },
                }
              : {}),
            columns: {
              provider: a.provider,
              provider_id: null,
              from_value: null,
              status: 'queued',
              status_rank: 0,
              error_code: null,
              error_json: null,
              phone_id: a.phoneId,
              agent_id: a.agentId ?? null,
              hook_token_hash: a.hookTokenHash ?? null,
            },
            audit: {
              actor: a.actor,
              action: `${a.kind}.create`,
              target: `${a.kind}:${a.id}`,
              detail: {
                provider: a.provider,
                ...(a.phoneId === null ? {} : { phoneId: a.phoneId }),
              },
            },
          };
        },
      });
    },

    /**
     * The one provider call of a request, recorded around it: the record written (queued), the
     * Idempotency-Key marked sent with its id, the call, then the record settled with the answer
     * or the failure (which is thrown on).
     */
    async sendRecorded(
      a: NewActivity,
      markSent: (recordId: string) => Promise<void>,
      send: () => Promise<ProviderAnswer>,
      failureOf: FailureOf = asRecorded,
    ): Promise<StoredRecord> {
      await api.create(a);
      await markSent(a.id);
      let answer: ProviderAnswer;
      try {
        answer = await send();
      } catch (err) {
        const f = failureOf(err);
        await api
          .settle(a.kind, a.tenantId, a.id, { error: f.error }, a.actor)
          .catch(() => undefined);
        throw f.thrown;
      }
      return api.settle(a.kind, a.tenantId, a.id, answer, a.actor);
    },

    /** Records what the provider answered: its id and status, or the typed failure. */
    async settle(
      kind: ActivityKind,
      tenantId: TenantId,
      id: string,
      s: Settlement,
      actor: Actor,
    ): Promise<StoredRecord> {
      return records.write({
        table: ACTIVITY_TABLES[kind],
        tenantId,
        key: { id },
        plan: (existing) => {
          if (existing === undefined) throw new TelvaultError('ERR_NOT_FOUND', `${kind} not found`);
          const failed = 'error' in s;
          const status = failed ? 'failed' : s.status;
          return {
            seal: {},
            keep: sealedFields(existing),
            columns: {
              provider_id: s.providerId ?? null,
              status,
              status_rank: statusRank(kind, status) ?? 0,
              error_code: failed ? s.error.code : null,
              error_json: failed ? JSON.stringify(s.error) : null,
            },
            audit: {
              actor,
              action: failed ? `${kind}.failed` : `${kind}.sent`,
              target: `${kind}:${id}`,
              detail: failed ? { code: s.error.code } : { status },
            },
          };
        },
      });
    },

    /**
     * Moves a record to `status` when that is forward of where it is (re-checked in the write's
     * transaction, so two callbacks racing cannot move it back). Resolves to whether it moved.
     */
    async advance(
      kind: ActivityKind,
      tenantId: TenantId,
      id: string,
      status: string,
      actor: Actor,
    ): Promise<boolean> {
      const rank = statusRank(kind, status);
      if (rank === undefined) return false;
      try {
        await records.write({
          table: ACTIVITY_TABLES[kind],
          tenantId,
          key: { id },
          plan: (existing) => {
            if (existing === undefined || Number(existing.row['status_rank']) >= rank)
              throw new Unchanged();
            return {
              seal: {},
              keep: sealedFields(existing),
              columns: { status, status_rank: rank },
              expect: { status_rank: Number(existing.row['status_rank']) },
              audit: {
                actor,
                action: `${kind}.status`,
                target: `${kind}:${id}`,
                detail: { status },
              },
            };
          },
        });
        return true;
      } catch (err) {
        if (err instanceof Unchanged) return false;
        // Another callback moved it meanwhile: this one is no longer forward.
        if (err instanceof TelvaultError && err.code === 'ERR_RECORD_CONDITION_FAILED')
          return false;
        throw err;
      }
    },

    find: (kind: ActivityKind, tenantId: TenantId, key: Readonly<Record<string, string>>) =>
      records.find(ACTIVITY_TABLES[kind], tenantId, key),
  };
  return api;
}

export type ActivityRecords = ReturnType<typeof createActivityRecords>;
