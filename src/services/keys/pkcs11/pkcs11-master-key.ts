// The PKCS#11 master-key provider: an AES-256 key that never leaves its token. The wrap's
// AES-256-GCM runs inside the token (C_EncryptInit/C_Encrypt, C_DecryptInit/C_Decrypt with the
// caller's nonce and associated data), so wrapped keys have the local key's format exactly.
//
// Id: `mk_` + 16 hex of SHA-256(lp(domain) ‖ lp(key label) ‖ lp(check value)), the check value
// being the GCM tag the key makes over a fixed block inside the token: stable when a token is
// re-initialised or replicated (no slot, serial or token label), and never the key's bytes.
//
// A token that goes away while serving: the failing call drops the session and is answered
// ERR_UNAVAILABLE (503), never a weaker fallback; the next call opens a new session, so serving
// recovers when the token returns.
import { createHash } from 'node:crypto';
import { createProviderMasterKey, type MasterKey } from '../../../crypto/index.js';
import { TelvaultError } from '../../../errors.js';
import { parsePkcs11Uri, type Pkcs11Uri } from './pkcs11-uri.js';
import {
  ck,
  ckrName,
  closeTokenSession,
  findSecretKeys,
  openTokenSession,
  pkcs11CallCount,
  pkcs11FaultSeam,
  refusal,
  type GcmParams,
  type Handle,
  type Mechanism,
  type TokenSession,
} from './pkcs11-token.js';

/** Stored format: do not change (ids are recorded with every wrapped key). */
const ID_DOMAIN = 'telvault/master-key-id/pkcs11/v1';
const CHECK_AAD = Buffer.from('telvault/master-key-check/v1');
const TAG_BYTES = 16;
/** What a token answers for a wrong tag (SoftHSM2: CKR_GENERAL_ERROR). */
const TAG_FAILURES = new Set([
  'CKR_ENCRYPTED_DATA_INVALID',
  'CKR_ENCRYPTED_DATA_LEN_RANGE',
  'CKR_AEAD_DECRYPT_FAILED',
  'CKR_GENERAL_ERROR',
]);

interface Connection extends TokenSession {
  key: Handle;
}

function lp(bytes: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(bytes.length, 0);
  return Buffer.concat([len, bytes]);
}

function gcm(nonce: Uint8Array, aad: Uint8Array): Mechanism {
  const parameter: GcmParams = {
    type: ck.CK_PARAMS_GCM,
    iv: Buffer.from(nonce),
    ivBits: nonce.length * 8,
    aad: Buffer.from(aad),
    tagBits: TAG_BYTES * 8,
  };
  return { mechanism: ck.CKM_AES_GCM, parameter };
}

function encrypt(c: Connection, nonce: Uint8Array, plain: Uint8Array, aad: Uint8Array): Buffer {
  c.p.C_EncryptInit(c.session, gcm(nonce, aad), c.key);
  pkcs11CallCount.encrypt++;
  const input = Buffer.from(plain); // a copy of key material: zeroed once the token has it
  try {
    return c.p.C_Encrypt(c.session, input, Buffer.alloc(plain.length + TAG_BYTES));
  } finally {
    input.fill(0);
  }
}

function attribute(c: TokenSession, key: Handle, type: number): Buffer | undefined {
  const [a] = c.p.C_GetAttributeValue(c.session, key, [{ type }]);
  return a?.value instanceof Buffer ? a.value : undefined;
}

function flag(c: TokenSession, key: Handle, type: number): boolean {
  return attribute(c, key, type)?.[0] === 1;
}

/** The key labelled `uri.object`, checked: one AES-256 key, non-extractable, sensitive. */
function findMasterKey(setting: string, s: TokenSession, uri: Pkcs11Uri): Handle {
  const keys = findSecretKeys(s, uri.object);
  const [key] = keys;
  if (key === undefined) {
    throw refusal(setting, `no secret key labelled "${uri.object}" in token "${uri.token}"`);
  }
  if (keys.length > 1) throw refusal(setting, `${keys.length} keys are labelled "${uri.object}"`);
  const type = attribute(s, key, ck.CKA_KEY_TYPE)?.readUIntLE(0, 4);
  const length = attribute(s, key, ck.CKA_VALUE_LEN)?.readUIntLE(0, 4);
  if (type !== ck.CKK_AES || length !== 32) {
    throw refusal(setting, `the key "${uri.object}" is not an AES-256 key`);
  }
  if (flag(s, key, ck.CKA_EXTRACTABLE)) {
    throw refusal(
      setting,
      `the key "${uri.object}" is extractable (CKA_EXTRACTABLE true): create a non-extractable one with \`telvault keygen --pkcs11\``,
    );
  }
  if (!flag(s, key, ck.CKA_SENSITIVE)) {
    throw refusal(setting, `the key "${uri.object}" is not sensitive (CKA_SENSITIVE false)`);
  }
  return key;
}

function connect(setting: string, uri: Pkcs11Uri): Connection {
  const s = openTokenSession(setting, uri);
  try {
    return { ...s, key: findMasterKey(setting, s, uri) };
  } catch (err) {
    closeTokenSession(s);
    throw err;
  }
}

function masterKeyId(c: Connection, label: string): string {
  const check = encrypt(c, Buffer.alloc(12), Buffer.alloc(16), CHECK_AAD).subarray(-TAG_BYTES);
  const digest = createHash('sha256')
    .update(Buffer.concat([lp(Buffer.from(ID_DOMAIN)), lp(Buffer.from(label)), lp(check)]))
    .digest();
  return `mk_${digest.toString('hex', 0, 8)}`;
}

function unavailable(setting: string, cause: unknown): TelvaultError {
  const why =
    typeof cause === 'string'
      ? cause
      : cause instanceof TelvaultError
        ? cause.message
        : (ckrName(cause) ?? 'not reachable');
  return new TelvaultError('ERR_UNAVAILABLE', `the master key's token is unavailable: ${why}`, {
    cause,
  });
}

/**
 * Opens the master key a PKCS#11 URI names (`setting` is the variable or option it came from):
 * refuses, naming the setting, a URI that does not parse, a module that does not load, an absent
 * token, a wrong PIN, a token without AES-GCM, a missing key label, and an extractable key.
 */
export function openPkcs11MasterKey(setting: string, text: string): MasterKey {
  const uri = parsePkcs11Uri(setting, text);
  let live: Connection | undefined = connect(setting, uri);
  const id = masterKeyId(live, uri.object);

  /** A new session, refused (503) unless the label still names the same key. */
  function reconnect(): Connection {
    const c = connect(setting, uri);
    if (masterKeyId(c, uri.object) !== id) {
      closeTokenSession(c);
      throw unavailable(setting, `the key "${uri.object}" is no longer the key ${id}`);
    }
    return c;
  }

  function run<T>(op: (c: Connection) => T, isTagFailure: (err: unknown) => boolean): T {
    if (pkcs11FaultSeam.tokenRemoved && live !== undefined) closeTokenSession(live);
    for (let attempt = 0; ; attempt++) {
      try {
        live ??= reconnect();
        return op(live);
      } catch (err) {
        if (isTagFailure(err)) {
          throw new TelvaultError('ERR_CRYPTO_DECRYPT_FAILED', 'decryption failed');
        }
        if (live !== undefined) closeTokenSession(live);
        live = undefined;
        // A session the token dropped (it restarted, or logged out): one new session, then 503.
        if (attempt > 0 || err instanceof TelvaultError) throw unavailable(setting, err);
      }
    }
  }

  return createProviderMasterKey(id, {
    provider: 'pkcs11',
    seal: (nonce, plaintext, aad) =>
      run(
        (c) => encrypt(c, nonce, plaintext, aad),
        () => false,
      ),
    open: (nonce, ciphertext, tag, aad) => {
      if (nonce.length !== 12 || tag.length !== TAG_BYTES) {
        throw new TelvaultError('ERR_CRYPTO_DECRYPT_FAILED', 'decryption failed');
      }
      const input = Buffer.concat([ciphertext, tag]);
      return run(
        (c) => {
          c.p.C_DecryptInit(c.session, gcm(nonce, aad), c.key);
          pkcs11CallCount.decrypt++;
          return c.p.C_Decrypt(c.session, input, Buffer.alloc(input.length));
        },
        (err) => TAG_FAILURES.has(ckrName(err) ?? ''),
      );
    },
  });
}
