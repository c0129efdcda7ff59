// Envelope v1: AES-256-GCM under a data key's envelope subkey, bound to its context by the AAD.
//
//   text    = "tv1." ‖ keyId ‖ "." ‖ base64url(payload)        (no padding)
//   payload = nonce[12] ‖ ciphertext[n] ‖ tag[16]
//
// base64url never contains '.', so the last '.' ends the key id even when the id has dots.
// Stored format: do not change. See docs/envelope.md.
import { randomFillSync } from 'node:crypto';
import { encodeAad, isWellFormedText, type EnvelopeContext } from './aad.js';
import { GCM_NONCE_BYTES, GCM_TAG_BYTES, gcmOpen, gcmSealInto } from './aes-gcm.js';
import { dataKeyInternals, type DataKey } from './data-key.js';
import { TelvaultError } from './errors.js';
import { argumentError, decryptionFailed } from './failures.js';
import { isKeyId, type KeyId } from './key-id.js';
import type { Keyring } from './keyring.js';

/** Stored format: do not change. */
export const ENVELOPE_V1_MARKER = 'tv1.';

const OVERHEAD = GCM_NONCE_BYTES + GCM_TAG_BYTES;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

// Nonces come from a pool refilled by the CSPRNG: one randomFillSync per 512 nonces instead of one
// per seal. Each nonce is used once; uniqueness rests on 96 random bits, as with randomBytes(12).
const noncePool = Buffer.allocUnsafe(GCM_NONCE_BYTES * 512);
let noncePos = noncePool.length;

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
  const nonce = out.subarray(0, GCM_NONCE_BYTES);
  gcmSealInto(internals.subkey, nonce, bytes, aad, out, GCM_NONCE_BYTES);
  if (bytes !== plaintext) bytes.fill(0); // our own UTF-8 copy of the plaintext
  return internals.header + out.toString('base64url', 0, size);
}

/** Splits off the key id, or undefined when the text is not shaped like an envelope v1. */
function splitEnvelope(text: unknown): { keyId: KeyId; payload: string } | undefined {
  if (typeof text !== 'string' || !text.startsWith(ENVELOPE_V1_MARKER)) return undefined;
  const dot = text.lastIndexOf('.');
  const keyId = text.slice(ENVELOPE_V1_MARKER.length, dot);
  const payload = text.slice(dot + 1);
  if (!isKeyId(keyId) || !isCanonicalPayload(payload)) return undefined;
  return { keyId, payload };
}

const BASE64URL_VALUES = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** Unpadded base64url, canonical (unused low bits zero), long enough for nonce and tag. */
function isCanonicalPayload(payload: string): boolean {
  const rem = payload.length % 4;
  if (rem === 1 || (payload.length * 3) >> 2 < OVERHEAD || !BASE64URL.test(payload)) return false;
  if (rem === 0) return true;
  const last = BASE64URL_VALUES.indexOf(payload.charAt(payload.length - 1));
  return (last & (rem === 2 ? 0x0f : 0x03)) === 0;
}

/**
 * Opens an envelope with the key its id names (never by trying keys), checking it against the
 * caller's `context`. Unknown key id -> ERR_CRYPTO_KEY_UNKNOWN, retired -> ERR_CRYPTO_KEY_RETIRED;
 * anything else that goes wrong is the opaque ERR_CRYPTO_DECRYPT_FAILED.
 */
export function openField(keyring: Keyring, envelope: string, context: EnvelopeContext): Buffer {
  const parts = splitEnvelope(envelope);
  if (parts === undefined) throw decryptionFailed();
  const internals = dataKeyInternals(keyring.get(parts.keyId));
  const size = (parts.payload.length * 3) >> 2;
  const buf = size <= openScratch.length ? openScratch : Buffer.allocUnsafe(size);
  const written = buf.write(parts.payload, 0, 'base64url');
  if (written !== size) throw decryptionFailed();
  const aad = encodeAad(internals.aadPrefix, context);
  return gcmOpen(
    internals.subkey,
    buf.subarray(0, GCM_NONCE_BYTES),
    buf.subarray(GCM_NONCE_BYTES, size - GCM_TAG_BYTES),
    buf.subarray(size - GCM_TAG_BYTES, size),
    aad,
  );
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
    bytes.fill(0);
  }
}

/** The key id of an envelope, parsed only (no key needed, nothing checked cryptographically). */
export function envelopeKeyId(envelope: string): KeyId {
  const parts = splitEnvelope(envelope);
  if (parts === undefined)
    throw new TelvaultError('ERR_CRYPTO_ENVELOPE_MALFORMED', 'malformed envelope');
  return parts.keyId;
}

/** True when `text` is shaped like an envelope v1 (it may still fail to open). */
export function isEnvelope(text: string): boolean {
  return splitEnvelope(text) !== undefined;
}
