// Unwrapped tenant keys in memory: bounded in count and age (LRU with a TTL), and re-validated
// against the tenant's keyring_stamp at most every `stampCheckMs`, so a key change made on another
// node is picked up within that bound. Loads of one tenant are shared, never repeated in parallel.
import { LRUCache } from 'lru-cache';
import type { TenantKeyset } from './key-loader.js';

export interface KeyCacheOptions {
  /** Tenants kept unwrapped (default 10 000). */
  max?: number;
  /** Longest time a keyset is kept before it is unwrapped again (default 10 minutes). */
  ttlMs?: number;
  /** Longest time a keyset is used before its stamp is compared again (default 1 second). */
  stampCheckMs?: number;
}

interface Entry {
  keyset: TenantKeyset;
  checkedAt: number;
}

export interface KeyCache {
  get(
    tenantId: string,
    readStamp: () => Promise<number | undefined>,
    load: () => Promise<TenantKeyset>,
  ): Promise<TenantKeyset>;
  evict(tenantId: string): void;
  clear(): void;
  readonly stampCheckMs: number;
}

export function createKeyCache(options: KeyCacheOptions = {}, clock = Date.now): KeyCache {
  const stampCheckMs = options.stampCheckMs ?? 1000;
  const cache = new LRUCache<string, Entry>({
    max: options.max ?? 10_000,
    ttl: options.ttlMs ?? 600_000,
  });
  const loading = new Map<string, Promise<TenantKeyset>>();

  async function reload(tenantId: string, load: () => Promise<TenantKeyset>) {
    let p = loading.get(tenantId);
    if (p === undefined) {
      p = load().then(
        (keyset) => {
          cache.set(tenantId, { keyset, checkedAt: clock() });
          return keyset;
        },
        (err: unknown) => {
          cache.delete(tenantId);
          throw err;
        },
      );
      const shared = p.finally(() => loading.delete(tenantId));
      loading.set(tenantId, shared);
      return shared;
    }
    return p;
  }

  return {
    stampCheckMs,
    async get(tenantId, readStamp, load) {
      const entry = cache.get(tenantId);
      if (entry === undefined) return reload(tenantId, load);
      if (clock() - entry.checkedAt < stampCheckMs) return entry.keyset;
      const stamp = await readStamp();
      if (stamp === entry.keyset.stamp) {
        entry.checkedAt = clock();
        return entry.keyset;
      }
      cache.delete(tenantId);
      return reload(tenantId, load);
    },
    evict: (tenantId) => {
      cache.delete(tenantId);
    },
    clear: () => cache.clear(),
  };
}
