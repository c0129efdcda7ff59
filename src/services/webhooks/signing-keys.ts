// The keys providers sign callbacks with (Twilio's auth token, Retell's webhook key), opened for
// each check and never audited here: a check is a use only when it passes, and the webhook
// service audits those. A tenant and provider whose checks keep failing (over the failure budget
// on the limiter store: a flood of forged callbacks) switch, on each node that sees a failure over
// budget, to a key opened at most once per KEY_CACHE_MS and held in memory meanwhile: a forged
// callback then costs one HMAC, no decryption, and a valid one still passes (a key changed
// meanwhile is picked up within KEY_CACHE_MS). The switch lasts FLOOD_MS past the last failure;
// outside a flood nothing is cached, so a key lives in memory only for the check.
import type { Secret, TenantId } from '../../crypto/index.js';
import type { WebhookFailureBudget } from '../limits/index.js';

export type SigningProvider = 'twilio' | 'retell';

/** How long a key opened during a flood is used before it is opened again. */
export const KEY_CACHE_MS = 10_000;
/** How long after its last failed check a tenant and provider stay switched to the held key. */
export const FLOOD_MS = 60_000;
/** Tenants and providers held at once; past it the oldest are dropped (opened again if needed). */
const MAX_HELD = 10_000;

export interface SigningKeys {
  /** The key to check with; undefined when the credentials hold none. */
  keyOf(tenantId: TenantId, provider: SigningProvider): Promise<Secret | undefined>;
  /** Counts a failed check (switching to a held key when the budget is spent). */
  failed(tenantId: TenantId, provider: SigningProvider): Promise<void>;
  /** Whether checks for this tenant and provider use a held key now. */
  flooded(tenantId: TenantId, provider: SigningProvider): boolean;
  close(): void;
}

export interface SigningKeysDeps {
  /** Opens the key without auditing (rejects when no credentials are stored). */
  open(tenantId: TenantId, provider: SigningProvider): Promise<Secret | undefined>;
  budget: WebhookFailureBudget;
  now?: () => number;
}

interface Held {
  key: Promise<Secret | undefined>;
  openedAt: number;
}

export function createSigningKeys(deps: SigningKeysDeps): SigningKeys {
  const now = deps.now ?? Date.now;
  /** Until when each flooded tenant and provider uses a held key. */
  const flood = new Map<string, number>();
  const held = new Map<string, Held>();
  const idOf = (tenantId: string, provider: string): string => `${provider}:${tenantId}`;

  function isFlooded(id: string, at: number): boolean {
    const until = flood.get(id);
    if (until === undefined) return false;
    if (until > at) return true;
    flood.delete(id);
    held.delete(id);
    return false;
  }

  // A key is dropped once its flood is over, even if no callback asks for it again.
  const sweep = setInterval(() => {
    const at = now();
    for (const id of [...flood.keys()]) isFlooded(id, at);
  }, KEY_CACHE_MS);
  sweep.unref();

  return {
    keyOf(tenantId, provider) {
      const id = idOf(tenantId, provider);
      const at = now();
      if (!isFlooded(id, at)) return deps.open(tenantId, provider);
      const h = held.get(id);
      if (h !== undefined && at - h.openedAt < KEY_CACHE_MS) return h.key;
      const entry: Held = { key: deps.open(tenantId, provider), openedAt: at };
      held.set(id, entry);
      // Not configured, or the database did not answer: asked again by the next check.
      entry.key.catch(() => {
        if (held.get(id) === entry) held.delete(id);
      });
      return entry.key;
    },
    async failed(tenantId, provider) {
      const id = idOf(tenantId, provider);
      if (isFlooded(id, now())) {
        // Already switched: the store is not asked again for each forged callback.
        flood.set(id, now() + FLOOD_MS);
        return;
      }
      const over = await deps.budget.recordFailure(tenantId, provider);
      if (over === undefined) return;
      if (flood.size >= MAX_HELD) {
        const oldest = flood.keys().next().value;
        if (oldest !== undefined) {
          flood.delete(oldest);
          held.delete(oldest);
        }
      }
      flood.set(id, now() + Math.max(FLOOD_MS, over * 1000));
    },
    flooded(tenantId, provider) {
      return isFlooded(idOf(tenantId, provider), now());
    },
    close() {
      clearInterval(sweep);
      flood.clear();
      held.clear();
    },
  };
}
