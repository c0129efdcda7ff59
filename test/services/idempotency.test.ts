// Idempotency-Key requests through the service and its route helper, on SQLite and PostgreSQL:
// the key's rule, replay without a second run, reuse with another request, a duplicate while the
// first is in flight, dead holders before and after "sent", resumable takeover with the saved
// state, a holder that lost its entry, release, expiry sweep and resource-bound entries.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TenantId } from '../../src/crypto/index.js';
import { toHttpError } from '../../src/http/error-handler.js';
import {
  idempotencyKeyOf,
  IdempotencyOutcomeUnknownError,
  runIdempotent,
  type BeginResult,
  type IdempotencyEntry,
} from '../../src/services/idempotency/index.js';
import { RateLimitError } from '../../src/services/limits/index.js';
import { DIALECTS, openTestStore, randomMasterKey, type TestStore } from '../store/harness.js';
import { createTenant, FAST, openIdemNode, request, type IdemNode } from './idempotency-support.js';

function held(r: BeginResult): IdempotencyEntry {
  if (r.kind !== 'run') throw new Error(`expected to hold the entry, got ${r.kind}`);
  return r.entry;
}

describe('the Idempotency-Key header', () => {
  it('is 1 to 255 printable ASCII characters, sent once', () => {
    expect(idempotencyKeyOf(undefined)).toBeUndefined();
    expect(idempotencyKeyOf('a'.repeat(255))).toBe('a'.repeat(255));
    expect(idempotencyKeyOf(' ~!"#$%&\'()*+,-./09:;<=>?@AZ[\\]^_`az{|}')).toBeDefined();
    for (const bad of ['', 'a'.repeat(256), 'clé', 'a\nb', 'tab\there', '\u007f']) {
      expect(() => idempotencyKeyOf(bad)).toThrow(
        expect.objectContaining({
          code: 'ERR_VALIDATION',
          message: 'Idempotency-Key: must be 1 to 255 printable ASCII characters',
        }),
      );
    }
    expect(() => idempotencyKeyOf(['a', 'b'])).toThrow(
      expect.objectContaining({
        code: 'ERR_VALIDATION',
        message: 'Idempotency-Key: must be sent once',
      }),
    );
  });
});

describe.each(DIALECTS)('idempotency on %s', (dialect) => {
  let store: TestStore;
  let node: IdemNode;
  let tenantId: TenantId;
  const master = randomMasterKey();

  beforeAll(async () => {
    store = await openTestStore(dialect, 'idem');
    node = await openIdemNode(store.db, master, FAST);
    tenantId = await createTenant(node, 'idem');
  });
  afterAll(async () => {
    await store.close();
  });

  const entryRow = (id: string) =>
    store.db.selectFrom('idempotency_keys').selectAll().where('id', '=', id).executeTakeFirst();

  it('checks the key in begin() too', async () => {
    await expect(
      node.idem.begin(request(tenantId, { key: 'x'.repeat(256) })),
    ).rejects.toMatchObject({
      code: 'ERR_VALIDATION',
      message: expect.stringContaining('Idempotency-Key') as unknown,
    });
  });

  it('replays a completed request without running it again (body compared canonically)', async () => {
    const input = request(tenantId);
    let runs = 0;
    const work = () => {
      runs += 1;
      return Promise.resolve({ status: 201, body: { id: 'call-1', to: '+61491570006', runs } });
    };
    const first = await runIdempotent(node.idem, input, work);
    expect(first).toEqual({
      status: 201,
      body: { id: 'call-1', to: '+61491570006', runs: 1 },
      replayed: false,
    });
    // The same body with its keys in another order is the same request.
    const reordered = { opts: { b: [1, 2], a: 1 }, from: '+61491570156', to: '+61491570006' };
    const again = await runIdempotent(node.idem, { ...input, body: reordered }, work);
    expect(again).toEqual({ ...first, replayed: true });
    expect(runs).toBe(1);
  });

  it('stores and replays a 4xx outcome, returned or thrown', async () => {
    const input = request(tenantId);
    let runs = 0;
    const refused = { error: { code: 'ERR_VALIDATION', message: 'to: not a number' } };
    const outcomeOfError = () => ({ status: 400, body: refused });
    const work = () => {
      runs += 1;
      return Promise.reject(new Error('refused'));
    };
    await expect(runIdempotent(node.idem, input, work, { outcomeOfError })).rejects.toThrow(
      'refused',
    );
    expect(await runIdempotent(node.idem, input, work, { outcomeOfError })).toEqual({
      status: 400,
      body: refused,
      replayed: true,
    });
    const returned = request(tenantId);
    const ok = () => Promise.resolve({ status: 404, body: { gone: true } });
    await runIdempotent(node.idem, returned, ok);
    expect(await runIdempotent(node.idem, returned, work)).toMatchObject({
      status: 404,
      replayed: true,
    });
    expect(runs).toBe(1);
  });

  it('answers 422 ERR_IDEMPOTENCY_KEY_REUSED for another body, route or method', async () => {
    const input = request(tenantId);
    await runIdempotent(node.idem, input, () => Promise.resolve({ status: 200, body: {} }));
    for (const other of [
      { body: { to: '+61491570007' } },
      { route: '/v1/tenants/:tenantId/messages' },
      { method: 'PUT' },
    ]) {
      const err: unknown = await node.idem.begin({ ...input, ...other }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'ERR_IDEMPOTENCY_KEY_REUSED' });
      expect(toHttpError(err).status).toBe(422);
    }
    // While the first is in flight too, at once.
    const inFlight = request(tenantId);
    held(await node.idem.begin(inFlight));
    await expect(node.idem.begin({ ...inFlight, body: null })).rejects.toMatchObject({
      code: 'ERR_IDEMPOTENCY_KEY_REUSED',
    });
  });

  it('keys are per tenant', async () => {
    const other = await createTenant(node, 'other');
    const input = request(tenantId);
    await runIdempotent(node.idem, input, () => Promise.resolve({ status: 200, body: { t: 1 } }));
    const there = await runIdempotent(node.idem, { ...input, tenantId: other }, () =>
      Promise.resolve({ status: 200, body: { t: 2 } }),
    );
    expect(there).toEqual({ status: 200, body: { t: 2 }, replayed: false });
  });

  it('a duplicate waits for the request in flight, then gets its answer', async () => {
    const holder = node.withOptions({ leaseMs: 60_000 });
    const input = request(tenantId);
    const entry = held(await holder.begin(input));
    const waiting = node.idem.begin(input);
    await holder.complete(entry, { status: 201, body: { n: 1 } });
    expect(await waiting).toEqual({
      kind: 'replay',
      status: 201,
      body: { n: 1 },
      resourceId: null,
    });
  });

  it('the helper renews the lease while the work runs', async () => {
    const input = request(tenantId);
    const leases = new Set<string>();
    const answer = await runIdempotent(node.idem, input, async (run) => {
      // Runs until the lease was renewed twice (bounded, so a broken renewal fails, not hangs).
      for (let i = 0; i < 2_000 && leases.size < 3; i++) {
        const row = await entryRow(run.entry.id);
        if (row?.lease_expires_at != null) leases.add(row.lease_expires_at);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      return { status: 201, body: 'renewed' };
    });
    expect(leases.size).toBe(3);
    expect(answer).toEqual({ status: 201, body: 'renewed', replayed: false });
  });

  it('gives up waiting with 409 ERR_IDEMPOTENCY_IN_PROGRESS and a Retry-After', async () => {
    const holder = node.withOptions({ leaseMs: 60_000 });
    const impatient = node.withOptions({ waitMs: 20, pollMs: 5 });
    const input = request(tenantId);
    const entry = held(await holder.begin(input));
    const err: unknown = await impatient.begin(input).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ERR_IDEMPOTENCY_IN_PROGRESS' });
    expect(err).toBeInstanceOf(RateLimitError);
    // The hint is the holder's lease left, in whole seconds.
    expect((err as RateLimitError).retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect((err as RateLimitError).retryAfterSeconds).toBeLessThanOrEqual(60);
    expect(toHttpError(err).status).toBe(409);
    await holder.complete(entry, { status: 200, body: 'done' });
    expect(await impatient.begin(input)).toMatchObject({ kind: 'replay', body: 'done' });
  });

  it('a failure before the provider call releases the entry: a retry runs fresh', async () => {
    const input = request(tenantId);
    let runs = 0;
    const failing = () => {
      runs += 1;
      return Promise.reject(new Error('provider unreachable'));
    };
    await expect(runIdempotent(node.idem, input, failing)).rejects.toThrow('provider unreachable');
    // A 5xx returned is not stored either.
    await runIdempotent(node.idem, input, () => {
      runs += 1;
      return Promise.resolve({ status: 503, body: 'later' });
    });
    const ok = await runIdempotent(node.idem, input, () => {
      runs += 1;
      return Promise.resolve({ status: 201, body: { runs } });
    });
    expect(ok).toEqual({ status: 201, body: { runs: 3 }, replayed: false });
  });

  it('a holder dead before "sent" is taken over and the request runs fresh', async () => {
    const input = request(tenantId);
    const dead = held(await node.idem.begin(input)); // and never heard of again
    let runs = 0;
    const answer = await runIdempotent(node.idem, input, async (run) => {
      runs += 1;
      await run.markSent('call-2');
      return { status: 201, body: { id: 'call-2' } };
    });
    expect(answer).toEqual({ status: 201, body: { id: 'call-2' }, replayed: false });
    expect(runs).toBe(1);
    expect((await entryRow(dead.id))?.generation).toBe(2);
    // The dead holder coming back cannot send, nor record over the answer.
    await expect(node.idem.markSent(dead, 'call-x')).rejects.toMatchObject({
      code: 'ERR_IDEMPOTENCY_IN_PROGRESS',
    });
    await expect(node.idem.complete(dead, { status: 200, body: 'stale' })).rejects.toMatchObject({
      code: 'ERR_IDEMPOTENCY_IN_PROGRESS',
    });
    expect(await node.idem.begin(input)).toMatchObject({ kind: 'replay', body: { id: 'call-2' } });
  });

  it('a holder dead after "sent" leaves 409 ERR_IDEMPOTENCY_OUTCOME_UNKNOWN with its record id', async () => {
    const input = request(tenantId);
    const dead = held(await node.idem.begin(input));
    await node.idem.markSent(dead, 'call-record-7');
    let runs = 0;
    const work = () => {
      runs += 1;
      return Promise.resolve({ status: 201, body: {} });
    };
    for (let i = 0; i < 2; i++) {
      const err: unknown = await runIdempotent(node.idem, input, work).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(IdempotencyOutcomeUnknownError);
      expect(err).toMatchObject({
        code: 'ERR_IDEMPOTENCY_OUTCOME_UNKNOWN',
        recordId: 'call-record-7',
      });
      expect((err as Error).message).toContain('call-record-7');
      expect(toHttpError(err).status).toBe(409);
    }
    expect(runs).toBe(0);
  });

  it('a failure after "sent" is an unknown outcome at once', async () => {
    const input = request(tenantId, { key: `after-sent-${Date.now()}` });
    const slow = node.withOptions({ leaseMs: 60_000, waitMs: 10, pollMs: 5 });
    await expect(
      runIdempotent(slow, input, async (run) => {
        await run.markSent('msg-1');
        throw new Error('connection reset');
      }),
    ).rejects.toThrow('connection reset');
    await expect(slow.begin(input)).rejects.toMatchObject({
      code: 'ERR_IDEMPOTENCY_OUTCOME_UNKNOWN',
      recordId: 'msg-1',
    });
  });

  it('a resumable holder dead mid-way is taken over with the state it saved', async () => {
    const input = request(tenantId, {
      route: '/v1/tenants/:tenantId/phones/purchase',
      body: { areaCode: '415' },
      mode: 'resumable',
    });
    const dead = held(await node.idem.begin(input));
    await node.idem.saveState(dead, { step: 'searched' });
    await node.idem.saveState(dead, { step: 'chosen', number: '+14155550123' }, { sealed: true });
    // Sent does not stop a resumable takeover: the workflow is re-entrant.
    await node.idem.markSent(dead);
    const next = await node.idem.begin(input);
    expect(next).toMatchObject({
      kind: 'run',
      takenOver: true,
      resumedState: { step: 'chosen', number: '+14155550123' },
    });
    const entry = held(next);
    await expect(node.idem.saveState(dead, { step: 'stale' })).rejects.toMatchObject({
      code: 'ERR_IDEMPOTENCY_IN_PROGRESS',
    });
    await expect(
      node.idem.saveState(dead, { step: 'stale' }, { sealed: true }),
    ).rejects.toMatchObject({ code: 'ERR_IDEMPOTENCY_IN_PROGRESS' });
    // A plain state saved after a sealed one is what the next holder gets.
    await node.idem.saveState(entry, { step: 'bought', sid: 'PN1' });
    const third = await node.idem.begin(input);
    expect(third).toMatchObject({ kind: 'run', resumedState: { step: 'bought', sid: 'PN1' } });
    await node.idem.complete(held(third), {
      status: 201,
      body: { phoneId: 'ph-1' },
      resourceId: 'ph-1',
    });
    expect(await node.idem.begin(input)).toEqual({
      kind: 'replay',
      status: 201,
      body: { phoneId: 'ph-1' },
      resourceId: 'ph-1',
    });
  });

  it("a stale holder cannot overwrite a newer holder's sealed state", async () => {
    const input = request(tenantId, { mode: 'resumable' });
    const dead = held(await node.idem.begin(input));
    const next = held(await node.idem.begin(input));
    await node.idem.saveState(next, { step: 'new' }, { sealed: true });
    await expect(
      node.idem.saveState(dead, { step: 'old' }, { sealed: true }),
    ).rejects.toMatchObject({ code: 'ERR_IDEMPOTENCY_IN_PROGRESS' });
    const row = await entryRow(next.id);
    expect(row?.generation).toBe(2);
    await node.idem.release(next);
    expect(await node.idem.begin(input)).toMatchObject({ resumedState: { step: 'new' } });
  });

  it('a released resumable entry with a state is resumed at once', async () => {
    const slow = node.withOptions({ leaseMs: 60_000, waitMs: 10, pollMs: 5 });
    const input = request(tenantId, { mode: 'resumable' });
    await expect(
      runIdempotent(slow, input, async (run) => {
        await run.saveState({ step: 'one' });
        throw new Error('provider down');
      }),
    ).rejects.toThrow('provider down');
    expect(await slow.begin(input)).toMatchObject({ kind: 'run', resumedState: { step: 'one' } });
  });

  it('sweep deletes expired entries in batches, with their payloads', async () => {
    const sweeper = node.withOptions({ sweepBatch: 2 });
    const t = await createTenant(node, 'sweep');
    const inputs = Array.from({ length: 5 }, () => request(t, { ttlMs: 1_000 }));
    for (const input of inputs) {
      await runIdempotent(node.idem, input, () => Promise.resolve({ status: 200, body: 'x' }));
    }
    const countOf = async (table: 'idempotency_keys' | 'idempotency_payloads') =>
      (await store.db.selectFrom(table).select('id').where('tenant_id', '=', t).execute()).length;
    expect(await countOf('idempotency_payloads')).toBe(5);
    await sweeper.sweep();
    expect(await countOf('idempotency_keys')).toBe(5);
    const swept = await sweeper.sweep(Date.now() + 2_000);
    expect(swept).toBeGreaterThanOrEqual(5); // other tests' short-lived entries may go too
    expect(await countOf('idempotency_keys')).toBe(0);
    expect(await countOf('idempotency_payloads')).toBe(0);
    const usage = await store.db
      .selectFrom('key_usage')
      .select(['kind', 'rows'])
      .where('tenant_id', '=', t)
      .execute();
    expect(usage.filter((u) => u.rows !== 0)).toEqual([]);
    // The key is free again.
    const input = inputs[0];
    if (input === undefined) throw new Error('no input');
    expect(await node.idem.begin(input)).toMatchObject({ kind: 'run', takenOver: false });
  });

  it('an expired entry is replaced by the next request with its key', async () => {
    const input = request(tenantId, { ttlMs: 1 });
    await runIdempotent(node.idem, input, () => Promise.resolve({ status: 200, body: 1 }));
    // Expired a millisecond later: wait for that millisecond, not a timing.
    const row = await store.db
      .selectFrom('idempotency_keys')
      .select('expires_at')
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    while (new Date().toISOString() <= (row.expires_at ?? '')) {
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    const again = await runIdempotent(node.idem, { ...input, body: 'another' }, () =>
      Promise.resolve({ status: 200, body: 2 }),
    );
    expect(again).toEqual({ status: 200, body: 2, replayed: false });
  });

  it('a resource-bound entry outlives every sweep until forgetResource', async () => {
    const input = request(tenantId, { mode: 'resumable', ttlMs: null });
    let runs = 0;
    const buy = () => {
      runs += 1;
      return Promise.resolve({
        status: 201,
        body: { phoneId: `ph-${runs}` },
        resourceId: `ph-${runs}`,
      });
    };
    await runIdempotent(node.idem, input, buy);
    const tenYears = Date.now() + 10 * 365 * 24 * 3600 * 1000;
    await node.idem.sweep(tenYears);
    expect(await runIdempotent(node.idem, input, buy)).toMatchObject({
      replayed: true,
      body: { phoneId: 'ph-1' },
    });
    expect(await node.idem.forgetResource(tenantId, 'ph-1')).toBe(1);
    expect(await runIdempotent(node.idem, input, buy)).toMatchObject({
      replayed: false,
      body: { phoneId: 'ph-2' },
    });
    // Bound only when the outcome names a resource: a refusal keeps the default expiry.
    const refused = request(tenantId, { mode: 'resumable', ttlMs: null });
    await runIdempotent(node.idem, refused, () => Promise.resolve({ status: 400, body: 'no' }));
    const day = 24 * 3600 * 1000;
    await node.idem.sweep(Date.now() + day + 1_000);
    expect(await runIdempotent(node.idem, refused, buy)).toMatchObject({ replayed: false });
  });
});
