// Wrapped keys: a 32-byte key sealed with AES-256-GCM directly under a master key.
//
//   text    = "tvk1." ‖ masterId ‖ "." ‖ base64url(nonce[12] ‖ ciphertext[32] ‖ tag[16])
//   AAD     = lp("telvault/wrapped-key/v1") ‖ lp(masterId) ‖ lp(purpose) ‖ u32(version)
//             ‖ u8(0)                 for the system and audit keys (tenantId null)
//             ‖ u8(1) ‖ lp(tenantId)  for a tenant's data or blind-index key
//
// Stored format: do not change. See docs/envelope.md.
import { randomBytes } from 'node:crypto';
import { GCM_NONCE_BYTES, GCM_TAG_BYTES } from './aes-gcm.js';
import { isWellFormedText } from './aad.js';
import { TelvaultError } from './errors.js';
import { argumentError, assertBytes, assertVersion, decryptionFailed } from './failures.js';
import { KEY_BYTES } from './hkdf/subkeys.js';
import { MASTER_KEY_ID_PATTERN, masterKeyCipher, type MasterKey } from './master-key.js';
import type { TenantId } from './tenant-id.js';

export type WrappedKeyPurpose = 'data' | 'index' | 'system' | 'audit' | 'fingerprint';

export interface WrapContext {
  /** null for the system and audit keys, a tenant id for data and index keys. */
  tenantId: TenantId | null;
  purpose: WrappedKeyPurpose;
  version: number;
}

/** Stored format: do not change. */
export const WRAPPED_KEY_V1_MARKER = 'tvk1.';
/** Stored format: do not change. */
const WRAP_AAD_DOMAIN = 'telvault/wrapped-key/v1';
const PAYLOAD_BYTES = GCM_NONCE_BYTES + KEY_BYTES + GCM_TAG_BYTES;
const PAYLOAD_CHARS = Math.ceil((PAYLOAD_BYTES * 4) / 3);
const PURPOSES: ReadonlySet<string> = new Set<WrappedKeyPurpose>([
  'data',
  'index',
  'system',
  'audit',
  'fingerprint',
]);
/** Deployment-wide keys: wrapped with no tenant. */
const DEPLOYMENT_PURPOSES: ReadonlySet<string> = new Set<WrappedKeyPurpose>([
  'system',
  'audit',
  'fingerprint',
]);

/** 32 fresh random bytes: a new data, blind-index, system or audit key. */
export function generateKeyMaterial(): Uint8Array {
  return randomBytes(KEY_BYTES);
}

function lp(value: string): Buffer {
  const bytes = Buffer.from(value, 'utf8');
  const len = Buffer.allocUnsafe(4);
  len.writeUInt32BE(bytes.length, 0);
  return Buffer.concat([len, bytes]);
}

function wrapAad(masterId: string, context: WrapContext): Buffer {
  if (typeof context !== 'object' || context === null)
    throw argumentError('"context" expected an object');
  const { tenantId, purpose, version } = context;
  if (!PURPOSES.has(purpose)) {
    throw argumentError('"purpose" expected data, index, system or audit');
  }
  assertVersion('version', version);
  if (
    DEPLOYMENT_PURPOSES.has(purpose)
      ? tenantId !== null
      : typeof tenantId !== 'string' || tenantId.length === 0
  ) {
    throw argumentError(
      '"tenantId" expected null for the system, audit and fingerprint keys, a non-empty string otherwise',
    );
  }
  if (tenantId !== null && !isWellFormedText(tenantId)) {
    throw argumentError('"tenantId" must be well-formed Unicode');
  }
  const versionBytes = Buffer.allocUnsafe(4);
  versionBytes.writeUInt32BE(version, 0);
  const tenant = tenantId === null ? [Buffer.of(0)] : [Buffer.of(1), lp(tenantId)];
  return Buffer.concat([lp(WRAP_AAD_DOMAIN), lp(masterId), lp(purpose), versionBytes, ...tenant]);
}

/** Wraps 32 bytes of key material under `master`, bound to `context`. */
export function wrapKey(master: MasterKey, material: Uint8Array, context: WrapContext): string {
  const cipher = masterKeyCipher(master);
  assertBytes('key material', material, KEY_BYTES);
  const aad = wrapAad(master.id, context);
  const nonce = randomBytes(GCM_NONCE_BYTES);
  const sealed = cipher.seal(nonce, material, aad);
  const payload = Buffer.concat([nonce, sealed]).toString('base64url');
  return `${WRAPPED_KEY_V1_MARKER}${master.id}.${payload}`;
}

function splitWrapped(wrapped: unknown): { masterId: string; payload: string } | undefined {
  if (typeof wrapped !== 'string' || !wrapped.startsWith(WRAPPED_KEY_V1_MARKER)) return undefined;
  const parts = wrapped.slice(WRAPPED_KEY_V1_MARKER.length).split('.');
  const [masterId, payload] = parts;
  if (parts.length !== 2 || masterId === undefined || payload === undefined) return undefined;
  if (!MASTER_KEY_ID_PATTERN.test(masterId) || payload.length !== PAYLOAD_CHARS) return undefined;
  if (Buffer.from(payload, 'base64url').toString('base64url') !== payload) return undefined;
  return { masterId, payload };
}

/** The id of the master key a wrapped key was made with (parse only). */
export function wrappedKeyMasterId(wrapped: string): string {
  const parts = splitWrapped(wrapped);
  if (parts === undefined)
    throw new TelvaultError('ERR_CRYPTO_ENVELOPE_MALFORMED', 'malformed wrapped key');
  return parts.masterId;
}

/**
 * Unwraps with the master key whose id the text names (never by trying keys): no such master ->
 * ERR_KEYS_MASTER_UNKNOWN; malformed, tampered or wrong context -> ERR_CRYPTO_DECRYPT_FAILED.
 */
export function unwrapKey(
  masters: ReadonlyArray<MasterKey>,
  wrapped: string,
  context: WrapContext,
): Uint8Array {
  const parts = splitWrapped(wrapped);
  if (parts === undefined) throw decryptionFailed();
  const master = masters.find((candidate) => candidate.id === parts.masterId);
  if (master === undefined) {
    throw new TelvaultError(
      'ERR_KEYS_MASTER_UNKNOWN',
      `master key "${parts.masterId}" is not configured`,
    );
  }
  const aad = wrapAad(master.id, context);
  const payload = Buffer.from(parts.payload, 'base64url');
  const nonce = payload.subarray(0, GCM_NONCE_BYTES);
  const tag = payload.subarray(PAYLOAD_BYTES - GCM_TAG_BYTES);
  const material = masterKeyCipher(master).open(
    nonce,
    payload.subarray(GCM_NONCE_BYTES, -GCM_TAG_BYTES),
    tag,
    aad,
  );
  payload.fill(0);
  return material;
}
