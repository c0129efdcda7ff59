// The audit log: append-only, one hash chain per stream (a tenant's, or the operator's with tenant
// null). An append takes the stream's lock inside the caller's transaction, so the event commits
// with the change it records, or neither does; an operation whose event cannot be written fails.
import { TelvaultError } from '../../errors.js';
import type { Database, DialectName } from '../../store/database.js';
import { createAuditRepo, type AuditEventRow } from '../../store/audit-repo.js';
import { newId, nowIso } from '../../store/time.js';
import { actorLabel, type Actor } from './actor.js';
import { GENESIS_HASH, hashEvent } from './audit-chain.js';

export type AuditOutcome = 'success' | 'failure';

export interface AuditEventInput {
  /** null = the operator stream. */
  tenantId: string | null;
  actor: Actor;
  action: string;
  target: string;
  outcome?: AuditOutcome;
  /** Names and ids only, never a value. */
  detail?: Record<string, string | number | boolean | string[] | null>;
  /** When the event happened, if not now (events written late, e.g. after an env override). */
  at?: string;
}

export interface AuditEventView {
  id: string;
  seq: number;
  at: string;
  actor: string;
  action: string;
  target: string;
  outcome: string;
  detail: Record<string, unknown> | null;
  hash: string;
  prevHash: string;
}

export interface AuditPage {
  events: AuditEventView[];
  nextCursor: string | null;
}

export interface VerifyResult {
  ok: boolean;
  streams: number;
  events: number;
  /** The first broken event of each broken stream. */
  problems: { tenantId: string | null; seq: number; id: string; reason: string }[];
}

interface Pending {
  event: AuditEventInput;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/** Queue key of the operator stream (tenant ids are UUIDs, never this). */
const OPERATOR_STREAM = '(operator)';
/** Most events one group commit writes. */
const MAX_BATCH = 256;

export interface AuditServiceDeps {
  db: Database;
  dialect: DialectName;
}

function toView(r: AuditEventRow): AuditEventView {
  return {
    id: r.id,
    seq: r.seq,
    at: r.at,
    actor: r.actor,
    action: r.action,
    target: r.target,
    outcome: r.outcome,
    detail: r.detail_json === null ? null : (JSON.parse(r.detail_json) as Record<string, unknown>),
    hash: r.hash,
    prevHash: r.prev_hash,
  };
}

const encodeCursor = (seq: number): string => Buffer.from(`s:${seq}`).toString('base64url');

function decodeCursor(cursor: string): number {
  const m = /^s:(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (m?.[1] === undefined) throw new TelvaultError('ERR_VALIDATION', 'cursor: not a valid cursor');
  return Number(m[1]);
}

export function createAuditService(deps: AuditServiceDeps) {
  const repo = createAuditRepo(deps.dialect);

  /** Appends events of one stream, in order, under the stream's lock. */
  async function appendIn(trx: Database, events: readonly AuditEventInput[]): Promise<void> {
    const first = events[0];
    if (first === undefined) return;
    await repo.lockStream(trx, first.tenantId);
    const last = await repo.last(trx, first.tenantId);
    let seq = last?.seq ?? 0;
    let prevHash = last?.hash ?? GENESIS_HASH;
    for (const e of events) {
      seq += 1;
      const fields = {
        id: newId(),
        tenant_id: e.tenantId,
        seq,
        at: e.at ?? nowIso(),
        actor: actorLabel(e.actor),
        action: e.action,
        target: e.target,
        outcome: e.outcome ?? 'success',
        detail_json: e.detail === undefined ? null : JSON.stringify(e.detail),
        prev_hash: prevHash,
      };
      const row: AuditEventRow = { ...fields, hash: hashEvent(fields) };
      await repo.insert(trx, row);
      prevHash = row.hash;
    }
  }

  // Group commit for events written on their own (reveals, uses): while one transaction of a
  // stream commits, the events that arrive queue up and go in the next one, together. Each caller
  // still resolves only once its event is committed. A burst's first transaction starts one event
  // loop turn late (setImmediate): the requests read in the same turn queue their events first and
  // share its commit. Starting at once made every event its own transaction on SQLite, whose one
  // connection the transaction holds, so no other request could get as far as queueing meanwhile.
  const queues = new Map<string, Pending[]>();
  const draining = new Set<string>();

  async function drain(key: string): Promise<void> {
    draining.add(key);
    try {
      for (let q = queues.get(key); q !== undefined && q.length > 0; q = queues.get(key)) {
        const batch = q.splice(0, MAX_BATCH);
        try {
          await deps.db.transaction().execute((t) =>
            appendIn(
              t,
              batch.map((b) => b.event),
            ),
          );
          for (const b of batch) b.resolve();
        } catch (err) {
          for (const b of batch) b.reject(err);
        }
      }
    } finally {
      queues.delete(key);
      draining.delete(key);
    }
  }

  function enqueue(event: AuditEventInput): Promise<void> {
    const key = event.tenantId ?? OPERATOR_STREAM;
    return new Promise<void>((resolve, reject) => {
      const q = queues.get(key) ?? [];
      q.push({ event, resolve, reject });
      queues.set(key, q);
      if (!draining.has(key)) {
        draining.add(key);
        setImmediate(() => void drain(key));
      }
    });
  }

  return {
    /**
     * Appends an event. With `trx`, inside the caller's transaction (the event commits with the
     * change); without, in its own (grouped with concurrent ones). Resolves once the event is
     * committed; any failure becomes ERR_AUDIT_UNAVAILABLE, so the caller's operation fails rather
     * than running unaudited.
     */
    async record(e: AuditEventInput, trx?: Database): Promise<void> {
      try {
        if (trx !== undefined) await appendIn(trx, [e]);
        else await enqueue(e);
      } catch (err) {
        throw new TelvaultError('ERR_AUDIT_UNAVAILABLE', 'the audit log could not be written', {
          cause: err,
        });
      }
    },

    async list(q: {
      tenantId: string | null;
      cursor?: string | undefined;
      action?: string | undefined;
      limit?: number | undefined;
    }): Promise<AuditPage> {
      const limit = q.limit ?? 50;
      const rows = await repo.list(deps.db, {
        tenantId: q.tenantId,
        afterSeq: q.cursor === undefined ? undefined : decodeCursor(q.cursor),
        action: q.action,
        limit: limit + 1,
      });
      const page = rows.slice(0, limit);
      const lastRow = page[page.length - 1];
      return {
        events: page.map(toView),
        nextCursor: rows.length > limit && lastRow !== undefined ? encodeCursor(lastRow.seq) : null,
      };
    },

    /** Recomputes every stream's chain from its first event. */
    async verify(): Promise<VerifyResult> {
      const result: VerifyResult = { ok: true, streams: 0, events: 0, problems: [] };
      for (const tenantId of await repo.streams(deps.db)) {
        result.streams += 1;
        let prevHash = GENESIS_HASH;
        let expectSeq = 1;
        let after = 0;
        for (;;) {
          const page = await repo.page(deps.db, tenantId, after, 500);
          if (page.length === 0) break;
          let broken: string | undefined;
          let at: AuditEventRow | undefined;
          for (const r of page) {
            result.events += 1;
            if (r.seq !== expectSeq) broken = `expected seq ${expectSeq}, found ${r.seq}`;
            else if (r.prev_hash !== prevHash) broken = 'prev_hash does not match the event before';
            else if (hashEvent(r) !== r.hash) broken = 'hash does not match the event contents';
            if (broken !== undefined) {
              at = r;
              break;
            }
            prevHash = r.hash;
            expectSeq += 1;
            after = r.seq;
          }
          if (broken !== undefined && at !== undefined) {
            result.ok = false;
            result.problems.push({ tenantId, seq: at.seq, id: at.id, reason: broken });
            break;
          }
        }
      }
      return result;
    },
  };
}

export type AuditService = ReturnType<typeof createAuditService>;
