// Group commit for events written on their own (reveals, uses): while one transaction of a
// stream commits, the events that arrive queue up and go in the next one, together. Each caller
// still resolves only once its event is committed. A burst's first transaction starts one event
// loop turn late (setImmediate): the requests read in the same turn queue their events first and
// share its commit. Starting at once made every event its own transaction on SQLite, whose one
// connection the transaction holds, so no other request could get as far as queueing meanwhile.
// The stream's head moves in the same transaction as the batch's events (appendEvents).
import type { AuditMacs } from '../../crypto/index.js';
import type { Database } from '../../store/database.js';
import { streamOf } from '../../store/audit-head-repo.js';
import { appendEvents, type AuditEventInput } from './audit-append.js';

interface Pending {
  event: AuditEventInput;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/** Most events one group commit writes. */
const MAX_BATCH = 256;

export function createGroupCommit(db: Database) {
  const queues = new Map<string, Pending[]>();
  const draining = new Set<string>();

  async function drain(key: string, macs: AuditMacs): Promise<void> {
    draining.add(key);
    try {
      for (let q = queues.get(key); q !== undefined && q.length > 0; q = queues.get(key)) {
        const batch = q.splice(0, MAX_BATCH);
        try {
          await db.transaction().execute((t) =>
            appendEvents(
              t,
              macs,
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

  return {
    /** Resolves once `event` is committed (with the others of its stream that queued with it). */
    enqueue(event: AuditEventInput, macs: AuditMacs): Promise<void> {
      const key = streamOf(event.tenantId);
      return new Promise<void>((resolve, reject) => {
        const q = queues.get(key) ?? [];
        q.push({ event, resolve, reject });
        queues.set(key, q);
        if (!draining.has(key)) {
          draining.add(key);
          setImmediate(() => void drain(key, macs));
        }
      });
    },
  };
}
