// The MACs of the keyed audit chain, from the audit key (32 random bytes, wrapped by the master key
// with purpose 'audit'; nothing is derived from the master key itself). One HKDF subkey per use, so
// an event MAC, a stream-head MAC and an external head line can never stand in for one another.
//
// Stored format: do not change.
//   event MAC  = hex(HMAC-SHA256(HKDF(auditKey, "telvault/audit-chain/v2"), UTF-8(event text)))
//   head MAC   = hex(HMAC-SHA256(HKDF(auditKey, "telvault/audit-head/v2"), UTF-8(head text)))
//   anchor MAC = base64url(HMAC-SHA256(HKDF(auditKey, "telvault/audit-anchor/v2"), UTF-8(line)))
// What the texts are is the audit service's business (src/services/audit/audit-chain.ts).
import { createHmac, timingSafeEqual, type KeyObject } from 'node:crypto';
import { isWellFormedText } from './aad.js';
import { argumentError, assertBytes } from './failures.js';
import { deriveSubkey, KEY_BYTES } from './hkdf/subkeys.js';

export interface AuditMacs {
  /** MAC of one event's canonical text (64 hex characters, like the plain chain's hash). */
  event(text: string): string;
  /** MAC of a stream head's canonical text (64 hex characters). */
  head(text: string): string;
  /** MAC of an external head line's payload (43 base64url characters). */
  anchor(text: string): string;
}

function mac(key: KeyObject, text: string): Buffer {
  if (typeof text !== 'string' || !isWellFormedText(text)) {
    throw argumentError('"text" expected a well-formed string');
  }
  return createHmac('sha256', key).update(text, 'utf8').digest();
}

/** The audit MACs from the unwrapped audit key (subkeys derived once; the caller zeroes `material`). */
export function createAuditMacs(material: Uint8Array): AuditMacs {
  assertBytes('audit key', material, KEY_BYTES);
  const eventKey = deriveSubkey(material, 'auditEvent');
  const headKey = deriveSubkey(material, 'auditHead');
  const anchorKey = deriveSubkey(material, 'auditAnchor');
  return Object.freeze({
    event: (text: string) => mac(eventKey, text).toString('hex'),
    head: (text: string) => mac(headKey, text).toString('hex'),
    anchor: (text: string) => mac(anchorKey, text).toString('base64url'),
  });
}

/** Compares two MAC texts in constant time (for their length); false when lengths differ. */
export function macTextEquals(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}
