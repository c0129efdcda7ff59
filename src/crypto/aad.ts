// Associated data for envelope v1: a length-prefixed canonical encoding, so no two distinct
// contexts can produce the same bytes.
//
//   lp(domain) ‖ lp(keyId) ‖ u32(keyVersion) ‖ lp(tenantId) ‖ lp(entity) ‖ lp(field) ‖ lp(recordId) ‖ lp(purpose)
//   lp(s) = u32 big-endian byte length of UTF-8(s) ‖ UTF-8(s);  absent purpose = ''
//
// Stored format: do not change (every stored envelope is bound to exactly these bytes).
import { argumentError } from './failures.js';
import type { KeyId } from './key-id.js';
import type { TenantId } from './tenant-id.js';

/** Stored format: do not change. */
export const ENVELOPE_AAD_DOMAIN = 'telvault/envelope-aad/v1';

/** Who and what a sealed value belongs to; supplied by the caller at seal and again at open. */
export interface EnvelopeContext {
  tenantId: TenantId;
  /** Logical entity name (e.g. 'credential', as stored in every envelope's associated data), not a physical table name. */
  entity: string;
  field: string;
  /** Assigned by the application before the first write (e.g. UUIDv7). */
  recordId: string;
  purpose?: string;
}

// One reusable buffer: the AAD is consumed synchronously by setAAD before the next call.
const scratch = Buffer.allocUnsafe(4096);
let scratchView = scratch.subarray(0, 0); // reused while the AAD length repeats
// The prefix now at the start of scratch: a run of values under one key copies it once. Prefixes
// are made once per key by encodeAadPrefix and never written to, and nothing else writes there.
let scratchPrefix: Buffer | undefined;

type WellFormed = string & { isWellFormed(): boolean };

/** A UTF-16 string with no lone surrogate (those would UTF-8-encode ambiguously as U+FFFD). */
export function isWellFormedText(value: string): boolean {
  return (value as WellFormed).isWellFormed();
}

/**
 * Writes lp(value) at `offset` and returns the offset after it. ASCII (ids, names) is copied in
 * JavaScript, cheaper than a call into Node's encoder for short strings; anything else goes
 * through Buffer#write after a well-formedness check (a lone surrogate would encode as U+FFFD,
 * making two contexts collide).
 */
function writeLp(buf: Buffer, offset: number, value: string, name: string): number {
  const length = value.length;
  let o = offset + 4;
  let i = 0;
  for (; i < length; i++) {
    const code = value.charCodeAt(i);
    if (code >= 0x80) break;
    buf[o++] = code;
  }
  if (i < length) {
    if (!isWellFormedText(value)) throw argumentError(`"${name}" must be well-formed Unicode`);
    o = offset + 4 + buf.write(value, offset + 4, 'utf8');
  }
  const n = o - offset - 4;
  buf[offset] = n >>> 24;
  buf[offset + 1] = (n >>> 16) & 0xff;
  buf[offset + 2] = (n >>> 8) & 0xff;
  buf[offset + 3] = n & 0xff;
  return o;
}

function checkPart(name: string, value: unknown, allowEmpty: boolean): string {
  if (typeof value !== 'string') throw argumentError(`"${name}" expected a string`);
  if (!allowEmpty && value.length === 0) throw argumentError(`"${name}" must not be empty`);
  return value;
}

/** The key-dependent head of the AAD, computed once per data key. */
export function encodeAadPrefix(keyId: KeyId, keyVersion: number): Buffer {
  const buf = Buffer.allocUnsafe(4 + ENVELOPE_AAD_DOMAIN.length + 4 + keyId.length + 4);
  const o = writeLp(buf, writeLp(buf, 0, ENVELOPE_AAD_DOMAIN, 'domain'), keyId, 'key id');
  buf.writeUInt32BE(keyVersion, o);
  return buf;
}

/**
 * The full AAD for `context` after `prefix`. The result may be a view of a shared scratch buffer:
 * use it before the next call.
 */
export function encodeAad(prefix: Buffer, context: EnvelopeContext): Buffer {
  if (typeof context !== 'object' || context === null)
    throw argumentError('"context" expected an object');
  const tenantId = checkPart('tenantId', context.tenantId, false);
  const entity = checkPart('entity', context.entity, false);
  const field = checkPart('field', context.field, false);
  const recordId = checkPart('recordId', context.recordId, false);
  const purpose = context.purpose === undefined ? '' : checkPart('purpose', context.purpose, true);
  // 3 UTF-8 bytes at most per UTF-16 code unit; 5 length prefixes.
  const max =
    prefix.length +
    20 +
    3 * (tenantId.length + entity.length + field.length + recordId.length + purpose.length);
  let buf = scratch;
  if (max > scratch.length) {
    buf = Buffer.allocUnsafe(max);
    buf.set(prefix, 0);
  } else if (prefix !== scratchPrefix) {
    scratch.set(prefix, 0);
    scratchPrefix = prefix;
  }
  let o = writeLp(buf, prefix.length, tenantId, 'tenantId');
  o = writeLp(buf, o, entity, 'entity');
  o = writeLp(buf, o, field, 'field');
  o = writeLp(buf, o, recordId, 'recordId');
  o = writeLp(buf, o, purpose, 'purpose');
  if (buf !== scratch) return buf.subarray(0, o);
  if (scratchView.length !== o) scratchView = scratch.subarray(0, o);
  return scratchView;
}
