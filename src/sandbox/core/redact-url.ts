// A callback URL as the admin surface answers it. A receiver's URL may be a capability (telvault's
// Exotel hook is /hooks/exotel/<tenant>/<per-call token>/status), and the sandbox cannot tell
// which part is the secret, so every part that could be one is replaced by its digest (the same
// short SHA-256 prefix as in state dumps: a test can compare, nobody can recover it): the
// user-info, each query value, and each path segment of 16 or more characters that is not a UUID.
import { secretDigest } from './secret-digest.js';

const LONG_SEGMENT = /^[^/]{16,}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function redactSegment(segment: string): string {
  const value = decodeURIComponent(segment);
  return LONG_SEGMENT.test(value) && !UUID.test(value) ? secretDigest(value) : segment;
}

export function redactUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return secretDigest(raw);
  }
  const path = url.pathname.split('/').map(redactSegment).join('/');
  const query = [...url.searchParams]
    .map(([key, value]) => `${key}=${secretDigest(value)}`)
    .join('&');
  return `${url.protocol}//${url.host}${path}${query === '' ? '' : `?${query}`}`;
}
