// `audit verify`: every stream's chain recomputed from its first event (plain SHA-256 before the
// head's keyed_from, HMAC after), and held against its MAC'd head, so an edited, removed,
// reordered or forged event, a stream cut short at its end and a stream deleted whole are all
// reported. The streams are every head row, every stream with events, every tenant, and every
// tenant a `tenant.create` event names (a deleted tenant's stream is kept with its head, so it is
// checked like any other). With a head file (audit-anchor.ts), a head behind it is reported too:
// the database, or a stream, was rolled back.
import type { AuditMacs } from '../../crypto/index.js';
import type { Database } from '../../store/database.js';
import { createAuditRepo, type AuditEventRow } from '../../store/audit-repo.js';
import {
  findAuditHead,
  listAuditHeads,
  OPERATOR_STREAM,
  streamOf,
  tenantOfStream,
  type AuditHeadRow,
} from '../../store/audit-head-repo.js';
import type { Anchor } from './audit-anchor.js';
import { eventHashMatches, GENESIS_HASH, headMacMatches } from './audit-chain.js';
import { listAllTenantIds, tenantIdsOfTargets } from './audit-streams.js';

export interface VerifyProblem {
  tenantId: string | null;
  seq: number;
  /** The event at fault; null when the fault is the stream's (a missing head, missing events). */
  id: string | null;
  reason: string;
}

export interface VerifyResult {
  ok: boolean;
  streams: number;
  events: number;
  /** The first fault of each broken stream (and each head behind the head file). */
  problems: VerifyProblem[];
  /** With a head file: when it was taken and how many streams it holds. */
  anchor?: { at: string; streams: number };
}

const repo = createAuditRepo();
const PAGE = 500;

interface Walk {
  events: number;
  problem?: VerifyProblem;
}

function checkEvent(
  macs: AuditMacs,
  head: AuditHeadRow,
  r: AuditEventRow,
  expectSeq: number,
  prevHash: string,
): string | undefined {
  if (r.seq !== expectSeq) return `expected seq ${expectSeq}, found ${r.seq}`;
  if (r.prev_hash !== prevHash) return 'prev_hash does not match the event before';
  if (r.seq > head.seq) return `event after the stream's head (seq ${head.seq})`;
  if (!eventHashMatches(macs, r, head.keyed_from)) return 'hash does not match the event contents';
  return undefined;
}

/**
 * A head read now, when the one read at the start is behind an event found since: verify runs
 * next to appends, so events after the first read are fine when a head (MAC'd) now covers them.
 */
async function laterHead(
  db: Database,
  macs: AuditMacs,
  head: AuditHeadRow,
  seq: number,
): Promise<AuditHeadRow | undefined> {
  const now = await findAuditHead(db, head.stream);
  const ok = now !== undefined && headMacMatches(macs, now) && now.keyed_from === head.keyed_from;
  return ok && now.seq >= seq ? now : undefined;
}

async function walkStream(db: Database, macs: AuditMacs, first: AuditHeadRow): Promise<Walk> {
  const tenantId = tenantOfStream(first.stream);
  const walk: Walk = { events: 0 };
  let head = first;
  let prevHash = GENESIS_HASH;
  let expectSeq = 1;
  for (;;) {
    const page = await repo.page(db, tenantId, expectSeq - 1, PAGE);
    const headBefore = head;
    for (const r of page) {
      walk.events += 1;
      if (r.seq > head.seq) head = (await laterHead(db, macs, head, r.seq)) ?? head;
      const reason = checkEvent(macs, head, r, expectSeq, prevHash);
      if (reason !== undefined) {
        walk.problem = { tenantId, seq: r.seq, id: r.id, reason };
        return walk;
      }
      prevHash = r.hash;
      expectSeq += 1;
    }
    // A head read during this page may cover events committed after the page was read: read on.
    if (page.length < PAGE && (head === headBefore || page.length === 0)) break;
  }
  const last = expectSeq - 1;
  if (last < head.seq) {
    const reason = `events missing at its end: it ends at seq ${last}, its head is at seq ${head.seq}`;
    walk.problem = { tenantId, seq: head.seq, id: null, reason };
  } else if (prevHash !== head.hash) {
    walk.problem = {
      tenantId,
      seq: last,
      id: null,
      reason: 'its last event does not match its head',
    };
  }
  return walk;
}

async function checkHeadless(db: Database, stream: string): Promise<VerifyProblem> {
  const tenantId = tenantOfStream(stream);
  const last = await repo.last(db, tenantId);
  if (last === undefined) {
    return { tenantId, seq: 0, id: null, reason: 'stream missing: no head row and no events' };
  }
  return { tenantId, seq: last.seq, id: null, reason: 'its head row is missing' };
}

/** Every stream there should be, the operator's first. */
async function expectedStreams(db: Database, heads: Iterable<string>, anchor?: Anchor) {
  const names = new Set<string>(heads);
  for (const t of await repo.streams(db)) names.add(streamOf(t));
  for (const id of await listAllTenantIds(db)) names.add(id);
  const created = await repo.targetsOf(db, null, 'tenant.create');
  for (const id of tenantIdsOfTargets(created)) names.add(id);
  for (const h of anchor?.heads ?? []) names.add(h.stream);
  names.delete(OPERATOR_STREAM);
  return [OPERATOR_STREAM, ...[...names].sort()];
}

async function checkAnchor(
  db: Database,
  heads: ReadonlyMap<string, AuditHeadRow>,
  anchor: Anchor,
): Promise<VerifyProblem[]> {
  const problems: VerifyProblem[] = [];
  for (const want of anchor.heads) {
    const head = heads.get(want.stream);
    if (head === undefined) continue; // reported as missing already
    const tenantId = tenantOfStream(want.stream);
    const at = { tenantId, seq: head.seq, id: null };
    if (head.seq < want.seq) {
      const reason = `behind the head file: its head is at seq ${head.seq}, the head file's at seq ${want.seq} (rolled back?)`;
      problems.push({ ...at, reason });
      continue;
    }
    const hash = head.seq === want.seq ? head.hash : (await repo.at(db, tenantId, want.seq))?.hash;
    if (hash !== want.hash) {
      const reason = `differs from the head file at seq ${want.seq} (rolled back and rewritten?)`;
      problems.push({ ...at, seq: want.seq, reason });
    }
  }
  return problems;
}

/** One stream: its head (read now when not given), the head's MAC, then its chain. */
async function checkStream(
  db: Database,
  macs: AuditMacs,
  stream: string,
  known?: AuditHeadRow,
): Promise<Walk> {
  // A stream created since the heads were read (a new tenant) has its head by now.
  const head = known ?? (await findAuditHead(db, stream));
  if (head === undefined) return { events: 0, problem: await checkHeadless(db, stream) };
  if (!headMacMatches(macs, head)) {
    const reason = 'its head row does not match its MAC';
    return {
      events: 0,
      problem: { tenantId: tenantOfStream(stream), seq: head.seq, id: null, reason },
    };
  }
  return walkStream(db, macs, head);
}

export async function verifyAudit(
  db: Database,
  macs: AuditMacs,
  anchor?: Anchor,
): Promise<VerifyResult> {
  const heads = new Map((await listAuditHeads(db)).map((h) => [h.stream, h]));
  const result: VerifyResult = { ok: true, streams: 0, events: 0, problems: [] };
  for (const stream of await expectedStreams(db, heads.keys(), anchor)) {
    result.streams += 1;
    const walk = await checkStream(db, macs, stream, heads.get(stream));
    result.events += walk.events;
    if (walk.problem !== undefined) result.problems.push(walk.problem);
  }
  if (anchor !== undefined) {
    result.problems.push(...(await checkAnchor(db, heads, anchor)));
    result.anchor = { at: anchor.at, streams: anchor.heads.length };
  }
  result.ok = result.problems.length === 0;
  return result;
}

/**
 * One stream only: a tenant's (its id) or the operator's (null), checked as `verifyAudit` checks
 * each stream (its head, the head's MAC, every event's chain). The caller knows the stream should
 * exist (a tenant that exists has one from its creation), so a missing one is reported.
 */
export async function verifyAuditStream(
  db: Database,
  macs: AuditMacs,
  tenantId: string | null,
): Promise<VerifyResult> {
  const walk = await checkStream(db, macs, streamOf(tenantId));
  const problems = walk.problem === undefined ? [] : [walk.problem];
  return { ok: problems.length === 0, streams: 1, events: walk.events, problems };
}
