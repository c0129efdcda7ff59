// The Exotel API host a number or tenant uses. It is user-supplied and receives Basic
// credentials, so only Exotel's own hosts pass (providers.md §5 "Pitfalls": SSRF and credential
// exfiltration otherwise). Checked before any request is built.
import { ProviderError } from '../provider-error.js';

/** Singapore and Mumbai clusters. */
export const EXOTEL_ALLOWED_HOSTS = ['api.exotel.com', 'api.in.exotel.com'] as const;
export type ExotelApiHost = (typeof EXOTEL_ALLOWED_HOSTS)[number];

/**
 * Accepts the forms codebases store: `api.in.exotel.com`, `https://api.in.exotel.com/`, or the
 * bare prefix `api.in` (→ `api.in.exotel.com`). Anything else, including other schemes,
 * credentials, ports and paths, is refused with ERR_PROVIDER_HOST_NOT_ALLOWED.
 */
export function normalizeExotelHost(value: string): ExotelApiHost {
  let host = value.trim().toLowerCase();
  if (host.startsWith('https://')) host = host.slice('https://'.length);
  host = host.replace(/\/+$/, '');
  if (/^[a-z]+(\.[a-z]+)?$/.test(host) && !host.endsWith('.com')) host = `${host}.exotel.com`;
  const allowed = EXOTEL_ALLOWED_HOSTS.find((h) => h === host);
  if (allowed === undefined) {
    throw new ProviderError('ERR_PROVIDER_HOST_NOT_ALLOWED', {
      provider: 'exotel',
      operation: 'host.check',
      status: undefined,
      providerCode: undefined,
      retryable: false,
      reason: `host is not one of ${EXOTEL_ALLOWED_HOSTS.join(', ')}`,
    });
  }
  return allowed;
}
