// The audit log: append-only, one keyed hash chain per stream (a tenant's, or the operator's with
// tenant null), anchored by a MAC'd head row per stream (audit-chain.ts, audit-append.ts). An
// append locks the stream's head inside the caller's transaction, so the event commits with the
// change it records, or neither does; an operation whose event cannot be written fails.
//
// `start()` loads the audit key (creating it on first use) and closes the plain chains once
// (audit-closing.ts); openServices calls it before anything is served. A library that builds the
// services itself may skip it: the first append then does that work, inside its caller's
// transaction if it has one (on SQLite that transaction holds the only connection, so work outside
// it would wait for it), and caches the key only once it is loaded outside any transaction (a key
// created in a transaction that then rolls back must not be used).
import type { AuditMacs } from '../../crypto/index.js';
import { TelvaultError } from '../../errors.js';
import type { Database } from '../../store/database.js';
import { createAuditRepo, type AuditEventRow } from '../../store/audit-repo.js';
import { findAuditHead, listAuditHeads } from '../../store/audit-head-repo.js';
import { nowIso } from '../../store/time.js';
import { createAuditKeyIfAbsent, loadAuditMacs } from '../keys/audit-key.js';
import type { MasterKeys } from '../keys/master-keys.js';
import type { AuditEventView, AuditPage, AuditVerifyView } from './audit-schemas.js';
import { encodeAnchor, parseAnchor } from './audit-anchor.js';
import { appendEvents, openStream, type AuditEventInput } from './audit-append.js';
import { headMacMatches } from './audit-chain.js';
import { closePlainChains } from './audit-closing.js';
import { createGroupCommit } from './audit-group-commit.js';
import { verifyAudit, verifyAuditStream, type VerifyResult } from './audit-verify.js';

export type { AuditEventInput, AuditOutcome } from './audit-append.js';
export type { VerifyProblem, VerifyResult } from './audit-verify.js';

export interface AuditHeadLine {
  /** The line to keep outside the database. */
  line: string;
  at: string;
  streams: number;
}

export interface AuditServiceDeps {
  db: Database;
  /** Unwrap the audit key (and wrap it when it is first created). */
  masterKeys: MasterKeys;
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

const unavailable = (cause: unknown) =>
  new TelvaultError('ERR_AUDIT_UNAVAILABLE', 'the audit log could not be written', { cause });

export function createAuditService(deps: AuditServiceDeps) {
  const repo = createAuditRepo();
  // The unwrapped audit key's MACs, cached for the life of the process (a master-key rotation
  // rewraps the key, it does not change it).
  let macs: AuditMacs | undefined;
  let starting: Promise<AuditMacs> | undefined;

  async function load(trx?: Database): Promise<AuditMacs> {
    const db = trx ?? deps.db;
    await createAuditKeyIfAbsent(db, deps.masterKeys);
    const loaded = await loadAuditMacs(db, deps.masterKeys);
    await closePlainChains(deps.db, loaded, trx);
    return loaded;
  }

  function start(): Promise<AuditMacs> {
    if (macs !== undefined) return Promise.resolve(macs);
    starting ??= load()
      .then((loaded) => (macs = loaded))
      .catch((err: unknown) => {
        starting = undefined;
        throw err;
      });
    return starting;
  }

  /** The MACs for an append in `trx` (see the top of this file when not started yet). */
  async function macsIn(trx: Database): Promise<AuditMacs> {
    if (macs !== undefined) return macs;
    const loaded = await load(trx);
    // Caches it once `trx` is over (its queries wait for it); a failure is retried next time.
    start().catch(() => undefined);
    return loaded;
  }

  const grouped = createGroupCommit(deps.db);

  return {
    /** Loads the audit key and closes the plain chains once; idempotent. */
    async start(): Promise<void> {
      await start();
    },

    /**
     * Appends an event. With `trx`, inside the caller's transaction (the event commits with the
     * change); without, in its own (grouped with concurrent ones). Resolves once the event is
     * committed; any failure becomes ERR_AUDIT_UNAVAILABLE, so the caller's operation fails rather
     * than running unaudited.
     */
    async record(e: AuditEventInput, trx?: Database): Promise<void> {
      try {
        if (trx !== undefined) await appendEvents(trx, await macsIn(trx), [e]);
        else await grouped.enqueue(e, await start());
      } catch (err) {
        if (err instanceof TelvaultError && err.code === 'ERR_AUDIT_UNAVAILABLE') throw err;
        throw unavailable(err);
      }
    },

    /** Creates a new tenant's (empty) stream head, in the transaction that creates the tenant. */
    async openTenantStream(trx: Database, tenantId: string): Promise<void> {
      try {
        const m = await macsIn(trx);
        // Closing the plain chains in this transaction (not started yet) opened it already.
        if ((await findAuditHead(trx, tenantId)) === undefined) await openStream(trx, m, tenantId);
      } catch (err) {
        if (err instanceof TelvaultError && err.code === 'ERR_AUDIT_UNAVAILABLE') throw err;
        throw unavailable(err);
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

    /**
     * Recomputes every stream's chain from its first event and holds it against its head; with
     * `headLine` (what `head()` printed earlier), also reports every head behind it.
     */
    async verify(options: { headLine?: string } = {}): Promise<VerifyResult> {
      const m = await start();
      const anchor = options.headLine === undefined ? undefined : parseAnchor(m, options.headLine);
      return verifyAudit(deps.db, m, anchor);
    },

    /** One stream's check: a tenant's (its id) or the operator's (null). */
    async verifyStream(tenantId: string | null): Promise<AuditVerifyView> {
      const r = await verifyAuditStream(deps.db, await start(), tenantId);
      const p = r.problems[0];
      return {
        ok: r.ok,
        tenantId,
        events: r.events,
        checkedAt: nowIso(),
        problem: p === undefined ? null : { seq: p.seq, eventId: p.id, reason: p.reason },
      };
    },

    /** Every stream's head as one MAC'd line; refuses while a head row does not match its MAC. */
    async head(): Promise<AuditHeadLine> {
      const m = await start();
      const heads = await listAuditHeads(deps.db);
      const bad = heads.find((h) => !headMacMatches(m, h));
      if (bad !== undefined) {
        throw new TelvaultError(
          'ERR_AUDIT_STREAM_BROKEN',
          `audit stream ${bad.stream}: its head row does not match its MAC; run \`telvault audit verify\``,
        );
      }
      const at = nowIso();
      const line = encodeAnchor(m, {
        at,
        heads: heads.map((h) => ({ stream: h.stream, seq: h.seq, hash: h.hash })),
      });
      return { line, at, streams: heads.length };
    },
  };
}

export type AuditService = ReturnType<typeof createAuditService>;
