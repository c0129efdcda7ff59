// What an idempotency entry is found and compared by, without storing the key or the request: the
// key's keyed hash, and the request's fingerprint (a keyed hash of method, route and canonical
// body), both per tenant. The HMAC is the key service's system-key hash (the rate-limit keyer)
// over a JSON array whose first element is a purpose string of its own, so neither value can equal
// a rate-limit key or each other. Stored format: do not change the purposes or the encoding.
import type { TenantId } from '../../crypto/index.js';
import { TelvaultError } from '../../errors.js';
import type { KeyService } from '../keys/key-service.js';

const KEY_PURPOSE = 'telvault/idempotency-key/v1';
const REQUEST_PURPOSE = 'telvault/idempotency-request/v1';

/** The header's rule: at most 255 printable ASCII characters (space to tilde), not empty. */
const KEY_TEXT = /^[\x20-\x7e]{1,255}$/;

export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';

function invalidKey(): TelvaultError {
  return new TelvaultError(
    'ERR_VALIDATION',
    `${IDEMPOTENCY_KEY_HEADER}: must be 1 to 255 printable ASCII characters`,
  );
}

/** Checks an Idempotency-Key value; ERR_VALIDATION naming the header and the rule. */
export function assertIdempotencyKey(key: unknown): asserts key is string {
  if (typeof key !== 'string' || !KEY_TEXT.test(key)) throw invalidKey();
}

/**
 * The key of a request's headers (Node's lower-cased `idempotency-key`): undefined when absent,
 * ERR_VALIDATION when sent twice or not valid.
 */
export function idempotencyKeyOf(value: string | string[] | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (Array.isArray(value)) {
    throw new TelvaultError('ERR_VALIDATION', `${IDEMPOTENCY_KEY_HEADER}: must be sent once`);
  }
  assertIdempotencyKey(value);
  return value;
}

/** JSON with every object's keys sorted (UTF-16 order), so equal bodies give one text. */
export function canonicalJson(value: unknown): string {
  if (value !== null && typeof value === 'object' && 'toJSON' in value) {
    const toJSON = value.toJSON;
    if (typeof toJSON === 'function') return canonicalJson(toJSON.call(value));
  }
  if (Array.isArray(value)) {
    return `[${value.map((v: unknown) => canonicalJson(v === undefined ? null : v)).join(',')}]`;
  }
  if (value !== null && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj)
      .filter((k) => obj[k] !== undefined && typeof obj[k] !== 'function')
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
  }
  // undefined, a function or a symbol has no JSON: as JSON.stringify does in an array, null.
  const text: string | undefined = JSON.stringify(value);
  return text ?? 'null';
}

export interface RequestMacs {
  keyHash: string;
  fingerprint: string;
}

export interface RequestIdentity {
  tenantId: TenantId;
  key: string;
  method: string;
  /** The route's template (`/v1/tenants/:tenantId/phones/purchase`), not the path sent. */
  route: string;
  body: unknown;
}

export async function requestMacs(
  keys: Pick<KeyService, 'rateLimitKey'>,
  r: RequestIdentity,
): Promise<RequestMacs> {
  assertIdempotencyKey(r.key);
  const body = canonicalJson(r.body);
  const method = r.method.toUpperCase();
  return {
    keyHash: await keys.rateLimitKey(JSON.stringify([KEY_PURPOSE, r.tenantId, r.key])),
    fingerprint: await keys.rateLimitKey(
      JSON.stringify([REQUEST_PURPOSE, r.tenantId, method, r.route, body]),
    ),
  };
}
