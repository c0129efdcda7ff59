// Envelope v1: AES-256-GCM under a data key's envelope subkey, bound to its context by the AAD.
//
//   text    = "tv1." ‖ keyId ‖ "." ‖ base64url(payload)        (no padding)
//   payload = nonce[12] ‖ ciphertext[n] ‖ tag[16]
//
// base64url never contains '.', so the last '.' ends the key id even when the id has dots.
// Stored format: do not change. See docs/envelope.md.
import { randomFillSync } from 'node:crypto';
import { startupSnapshot } from 'node:v8';
import { encodeAad, isWellFormedText, type EnvelopeContext } from './aad.js';
import { GCM_NONCE_BYTES, GCM_TAG_BYTES, gcmOpen, gcmSealInto } from './aes-gcm.js';
import { base64urlDecodedLength, decodeBase64urlInto } from './base64url.js';
import { dataKeyInternals, type DataKey, type DataKeyInternals } from './data-key.js';
import { TelvaultError } from './errors.js';
import { argumentError, decryptionFailed } from './failures.js';
import { isKeyId, type KeyId } from './key-id.js';
import { keyringTable, type Keyring } from './keyring.js';

/** Stored format: do not change. */
export const ENVELOPE_V1_MARKER = 'tv1.';

const OVERHEAD = GCM_NONCE_BYTES + GCM_TAG_BYTES;

// Nonces come from a pool refilled by the CSPRNG: one randomFillSync per 512 nonces instead of one
// per seal. Each nonce is used once; uniqueness rests on 96 random bits, as with randomBytes(12).
const noncePool = Buffer.allocUnsafe(GCM_NONCE_BYTES * 512);
let noncePos = noncePool.length;

// A startup snapshot taken after some seals would hand every process restored from it the same
// unused pool: drop it on restore, so the first seal refills from the CSPRNG.
if (startupSnapshot.isBuildingSnapshot()) {
  startupSnapshot.addDeserializeCallback(() => {
    noncePos = noncePool.length;
  });
}

function takeNonce(out: Buffer): void {
  if (noncePos === noncePool.length) {
    randomFillSync(noncePool);
    noncePos = 0;
  }
  noncePool.copy(out, 0, noncePos, noncePos + GCM_NONCE_BYTES);
  noncePos += GCM_NONCE_BYTES;
}

// Reused output and input buffers: both are consumed synchronously within one call.
const sealScratch = Buffer.allocUnsafe(4096);
const openScratch = Buffer.allocUnsafe(4096);
const sealNonce = sealScratch.subarray(0, GCM_NONCE_BYTES);

/**
 * Overwrites `bytes` with zeros, through the typed-array builtin: Buffer#fill's argument handling
 * and native call cost more than the fill itself for short values.
 */
function zero(bytes: Uint8Array): void {
  Uint8Array.prototype.fill.call(bytes, 0);
}

function toBytes(plaintext: string | Uint8Array): Uint8Array {
  if (typeof plaintext === 'string') {
    if (!isWellFormedText(plaintext))
      throw argumentError('"plaintext" must be well-formed Unicode');
    return Buffer.from(plaintext, 'utf8');
  }
  if (plaintext instanceof Uint8Array) return plaintext;
  throw argumentError('"plaintext" expected a string or a Uint8Array');
}

/** Seals `plaintext` with `key` (normally `keyring.primary()`), bound to `context`. */
export function sealField(
  key: DataKey,
  plaintext: string | Uint8Array,
  context: EnvelopeContext,
): string {
  const internals = dataKeyInternals(key);
  const bytes = toBytes(plaintext);
  const aad = encodeAad(internals.aadPrefix, context);
  const size = bytes.length + OVERHEAD;
  const out = size <= sealScratch.length ? sealScratch : Buffer.allocUnsafe(size);
  takeNonce(out);
  const nonce = out === sealScratch ? sealNonce : out.subarray(0, GCM_NONCE_BYTES);
  gcmSealInto(internals.subkey, nonce, bytes, aad, out, GCM_NONCE_BYTES);
  if (bytes !== plaintext) zero(bytes); // our own UTF-8 copy of the plaintext
  return internals.header + out.toString('base64url', 0, size);
}

/**
 * `text.startsWith(prefix)`. A search anchored at 0 gives the same answer at less than half the
 * cost of String#startsWith in Node 20 (both scan at most `prefix.length` characters).
 */
function startsWith(text: string, prefix: string): boolean {
  return text.lastIndexOf(prefix, 0) === 0;
}

// Parse results of the last headerKeyId/decodePayload call (module state, not objects, so the hot
// path allocates nothing for them; every caller uses them before the next call).
let payloadStart = 0;
let payloadSize = 0;

/** The key id of an envelope v1 header (setting payloadStart), or undefined. */
function headerKeyId(text: unknown): KeyId | undefined {
  if (typeof text !== 'string' || !startsWith(text, ENVELOPE_V1_MARKER)) return undefined;
  const dot = text.lastIndexOf('.'); // base64url has no '.', so this ends the key id
  if (dot < ENVELOPE_V1_MARKER.length) return undefined;
  const keyId = text.slice(ENVELOPE_V1_MARKER.length, dot);
  if (!isKeyId(keyId)) return undefined;
  payloadStart = dot + 1;
  return keyId;
}

/**
 * Decodes the payload found by headerKeyId into `openScratch` or a fresh buffer (setting
 * payloadSize); undefined unless canonical base64url and long enough for nonce and tag.
 */
function decodePayload(text: string): Buffer | undefined {
  const size = base64urlDecodedLength(text.length - payloadStart);
  if (size < OVERHEAD) return undefined;
  const bytes = size <= openScratch.length ? openScratch : Buffer.allocUnsafe(size);
  if (decodeBase64urlInto(text, payloadStart, bytes) !== size) return undefined;
  payloadSize = size;
  return bytes;
}

// Views of openScratch for the last payload size: a run of same-sized values creates none.
const scratchNonce = openScratch.subarray(0, GCM_NONCE_BYTES);
let viewsSize = 0;
let scratchBody = openScratch.subarray(0, 0);
let scratchTag = openScratch.subarray(0, 0);

/** The internals for `keyId` in `keyring`, through keyring.get (which throws unknown/retired). */
function lookUp(keyring: Keyring, keyId: KeyId): DataKeyInternals {
  const internals = keyringTable(keyring)?.openable.get(keyId);
  return internals ?? dataKeyInternals(keyring.get(keyId));
}

/**
 * Opens an envelope with the key its id names (never by trying keys), checking it against the
 * caller's `context`. Unknown key id -> ERR_CRYPTO_KEY_UNKNOWN, retired -> ERR_CRYPTO_KEY_RETIRED;
 * anything else that goes wrong is the opaque ERR_CRYPTO_DECRYPT_FAILED.
 */
export function openField(keyring: Keyring, envelope: string, context: EnvelopeContext): Buffer {
  // Fast path for the common case, an envelope under the ring's primary key: its text starts with
  // `tv1.<primary id>.`. When the rest decodes as canonical base64url (which has no '.'), that '.'
  // is the last one, so the general parse below would find the same key id and payload.
  const table = keyringTable(keyring);
  if (table !== undefined && typeof envelope === 'string') {
    const header = table.primaryHeader;
    if (startsWith(envelope, header)) {
      payloadStart = header.length;
      const bytes = decodePayload(envelope);
      if (bytes !== undefined) return openPayload(table.primary, bytes, context);
    }
  }
  const keyId = headerKeyId(envelope);
  const bytes = keyId === undefined ? undefined : decodePayload(envelope);
  if (keyId === undefined || bytes === undefined) throw decryptionFailed();
  return openPayload(lookUp(keyring, keyId), bytes, context);
}

/** Opens the payload decodePayload just returned (its size in payloadSize). */
function openPayload(internals: DataKeyInternals, bytes: Buffer, context: EnvelopeContext): Buffer {
  const size = payloadSize;
  const aad = encodeAad(internals.aadPrefix, context);
  if (bytes !== openScratch) {
    const tag = bytes.subarray(size - GCM_TAG_BYTES, size);
    const body = bytes.subarray(GCM_NONCE_BYTES, size - GCM_TAG_BYTES);
    return gcmOpen(internals.subkey, bytes.subarray(0, GCM_NONCE_BYTES), body, tag, aad);
  }
  if (size !== viewsSize) {
    scratchBody = openScratch.subarray(GCM_NONCE_BYTES, size - GCM_TAG_BYTES);
    scratchTag = openScratch.subarray(size - GCM_TAG_BYTES, size);
    viewsSize = size;
  }
  return gcmOpen(internals.subkey, scratchNonce, scratchBody, scratchTag, aad);
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** openField, decoded as UTF-8 (invalid UTF-8 is the opaque decryption error). */
export function openFieldText(
  keyring: Keyring,
  envelope: string,
  context: EnvelopeContext,
): string {
  const bytes = openField(keyring, envelope, context);
  try {
    return utf8.decode(bytes);
  } catch {
    throw decryptionFailed();
  } finally {
    zero(bytes);
  }
}

/** The key id of an envelope, parsed only (no key needed, nothing checked cryptographically). */
export function envelopeKeyId(envelope: string): KeyId {
  const keyId = headerKeyId(envelope);
  if (keyId === undefined || decodePayload(envelope) === undefined) {
    throw new TelvaultError('ERR_CRYPTO_ENVELOPE_MALFORMED', 'malformed envelope');
  }
  return keyId;
}

/** True when `text` is shaped like an envelope v1 (it may still fail to open). */
export function isEnvelope(text: string): boolean {
  return headerKeyId(text) !== undefined && decodePayload(text) !== undefined;
}
