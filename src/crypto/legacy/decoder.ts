// The legacy decoders' public entry points. A legacy key is derived once per (scheme, params):
// createLegacyDecoder for a loop, or decodeLegacy with its small bounded cache.
import { createHash } from 'node:crypto';
import { TelvaultError } from '../errors.js';
import { cbcHex } from './cbc-hex.js';
import { gcmFieldsScrypt } from './gcm-fields-scrypt.js';
import { gcmHexPbkdf2 } from './gcm-hex-pbkdf2.js';
import { gcmPackedB64 } from './gcm-packed-b64.js';
import { plaintext } from './plaintext.js';
import type { LegacyDecodeFn, LegacyScheme } from './scheme.js';

/** Scheme names are part of the importer's interface: do not change. */
const SCHEMES: ReadonlyMap<string, LegacyScheme> = new Map([
  ['gcm-fields-scrypt', gcmFieldsScrypt],
  ['gcm-hex-pbkdf2', gcmHexPbkdf2],
  ['gcm-packed-b64', gcmPackedB64],
  ['cbc-hex', cbcHex],
  ['plaintext', plaintext],
]);

export interface LegacyDecoder {
  decode(input: unknown): string;
}

function findScheme(scheme: unknown): LegacyScheme {
  const found = typeof scheme === 'string' ? SCHEMES.get(scheme) : undefined;
  if (found === undefined) {
    throw new TelvaultError(
      'ERR_LEGACY_SCHEME_UNKNOWN',
      `"scheme" expected one of ${[...SCHEMES.keys()].join(', ')}`,
    );
  }
  return found;
}

/** Derives the legacy key once and returns a decoder for many values of that scheme. */
export function createLegacyDecoder(scheme: string, params: unknown): LegacyDecoder {
  const decode = findScheme(scheme).createDecoder(params);
  return Object.freeze({ decode });
}

// Derived keys (inside their decoders) by SHA-256 of the canonical (scheme, params), so no Map key
// holds a secret. Bounded: an import uses one or two parameter sets at a time.
const CACHE_LIMIT = 16;
const cache = new Map<string, LegacyDecodeFn>();

function cacheKey(scheme: string, canonical: readonly unknown[]): string {
  return createHash('sha256')
    .update(JSON.stringify([scheme, ...canonical]))
    .digest('base64url');
}

/** Decodes one value; the derived key is cached per (scheme, params), least recently used out. */
export function decodeLegacy(scheme: string, params: unknown, input: unknown): string {
  const found = findScheme(scheme);
  const key = cacheKey(scheme, found.canonicalParams(params));
  let decode = cache.get(key);
  if (decode === undefined) {
    decode = found.createDecoder(params);
    if (cache.size >= CACHE_LIMIT) {
      const oldest = cache.keys().next();
      if (oldest.done !== true) cache.delete(oldest.value);
    }
  } else {
    cache.delete(key); // re-inserted below as most recently used
  }
  cache.set(key, decode);
  return decode(input);
}
