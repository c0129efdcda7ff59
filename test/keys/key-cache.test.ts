import { describe, expect, it } from 'vitest';
import { createKeyCache } from '../../src/services/keys/key-cache.js';
import type { TenantKeyset } from '../../src/services/keys/key-loader.js';

function fakeKeyset(tenantId: string, stamp: number): TenantKeyset {
  return { tenantId, stamp } as unknown as TenantKeyset;
}

describe('key cache', () => {
  it('re-checks the stamp only after stampCheckMs, and reloads when it changed', async () => {
    let now = 0;
    let stamp = 1;
    let loads = 0;
    let stampReads = 0;
    const cache = createKeyCache({ stampCheckMs: 1000 }, () => now);
    const get = () =>
      cache.get(
        't',
        () => {
          stampReads++;
          return Promise.resolve(stamp);
        },
        () => {
          loads++;
          return Promise.resolve(fakeKeyset('t', stamp));
        },
      );
    expect((await get()).stamp).toBe(1);
    now = 500;
    await get();
    expect([loads, stampReads]).toEqual([1, 0]);
    now = 1500;
    await get();
    expect([loads, stampReads]).toEqual([1, 1]);
    stamp = 2;
    now = 1600;
    expect((await get()).stamp).toBe(1); // within the interval: the bound the rotation waits out
    now = 2600;
    expect((await get()).stamp).toBe(2);
    expect(loads).toBe(2);
  });

  it('shares one load between concurrent callers and is bounded in size', async () => {
    let loads = 0;
    const cache = createKeyCache({ max: 2 });
    const load = (id: string) => () => {
      loads++;
      return new Promise<TenantKeyset>((r) => setTimeout(() => r(fakeKeyset(id, 1)), 10));
    };
    const stamp = () => Promise.resolve(1);
    await Promise.all([cache.get('a', stamp, load('a')), cache.get('a', stamp, load('a'))]);
    expect(loads).toBe(1);
    await cache.get('b', stamp, load('b'));
    await cache.get('c', stamp, load('c'));
    await cache.get('a', stamp, load('a')); // evicted as least recently used
    expect(loads).toBe(4);
  });

  it('forgets a keyset whose load failed', async () => {
    const cache = createKeyCache();
    const stamp = () => Promise.resolve(1);
    await expect(cache.get('x', stamp, () => Promise.reject(new Error('boom')))).rejects.toThrow(
      'boom',
    );
    expect((await cache.get('x', stamp, () => Promise.resolve(fakeKeyset('x', 1)))).stamp).toBe(1);
  });
});
