// The status-callback URLs telvault gives the providers, under its public base URL
// (TELVAULT_PUBLIC_URL): Twilio's per tenant (Twilio signs each callback with the account's auth
// token), Exotel's per call, with a random token in the path (Exotel signs nothing: the token is
// what proves a callback is about the call it names; the logger redacts it from request URLs). Only the token's SHA-256 is stored: it is
// random and 256 bits long, so a plain hash is enough to compare without keeping it.
import { createHash, randomBytes } from 'node:crypto';
import type { TenantId } from '../../crypto/index.js';

export function hookTokenHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export interface HookUrls {
  /** Where Twilio posts the status of the tenant's calls and messages; undefined: no public URL. */
  twilioStatus(tenantId: TenantId): string | undefined;
  /** A new URL for one Exotel call, and the hash of its token to store with the call. */
  exotelStatus(tenantId: TenantId): { url: string; tokenHash: string } | undefined;
  /** Where Retell posts call events (set on the agent in Retell's dashboard). */
  retell(tenantId: TenantId): string | undefined;
}

/** `base()` is read per call: `telvault dev` knows its URL only once it listens. */
export function createHookUrls(base: () => string | undefined): HookUrls {
  const root = (): string | undefined => base()?.replace(/\/+$/, '');
  return {
    twilioStatus(tenantId) {
      const b = root();
      return b === undefined ? undefined : `${b}/hooks/twilio/${tenantId}/status`;
    },
    exotelStatus(tenantId) {
      const b = root();
      if (b === undefined) return undefined;
      const token = randomBytes(32).toString('base64url');
      return {
        url: `${b}/hooks/exotel/${tenantId}/${token}/status`,
        tokenHash: hookTokenHash(token),
      };
    },
    retell(tenantId) {
      const b = root();
      return b === undefined ? undefined : `${b}/hooks/retell/${tenantId}`;
    },
  };
}
