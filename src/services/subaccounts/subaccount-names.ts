// The friendly name of a tenant's Twilio sub-account: derived from the tenant id alone, so any
// process can find the sub-account again by name (a re-run after a crash adopts it). Twilio allows
// 64 characters; tenant ids are UUIDs (45 in all), and a longer id is named by a digest of it.
// Stored format (sub-accounts are found by it): do not change.
import { createHash } from 'node:crypto';

export const SUBACCOUNT_NAME_PREFIX = 'telvault ';
export const SUBACCOUNT_NAME_MAX = 64;

export function subaccountName(tenantId: string): string {
  const plain = `${SUBACCOUNT_NAME_PREFIX}${tenantId}`;
  if (plain.length <= SUBACCOUNT_NAME_MAX) return plain;
  const digest = createHash('sha256').update(tenantId, 'utf8').digest('base64url').slice(0, 43);
  return `${SUBACCOUNT_NAME_PREFIX}sha256:${digest}`;
}
