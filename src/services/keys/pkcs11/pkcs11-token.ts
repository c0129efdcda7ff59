// A session with the token a PKCS#11 URI names: the library loaded and initialised once per
// process, the token found by its label, AES-GCM checked with C_GetMechanismInfo, the user logged
// in with the PIN from its file. Every refusal names the setting and the rule, never the PIN.
import { readFileSync } from 'node:fs';
import pkcs11js from 'pkcs11js';
import { TelvaultError } from '../../../errors.js';
import type { Pkcs11Uri } from './pkcs11-uri.js';

export type Pkcs11 = pkcs11js.PKCS11;
export type Handle = pkcs11js.Handle;
export type Mechanism = pkcs11js.Mechanism;
export type GcmParams = pkcs11js.GcmParams;
export const ck = pkcs11js;

export interface TokenSession {
  p: Pkcs11;
  slot: Handle;
  session: Handle;
}

/**
 * Test seam: while `tokenRemoved` is set, this process's tokens behave as removed: a session in
 * use is closed in the token (its next call fails there), and opening one fails as
 * CKR_TOKEN_NOT_PRESENT. SoftHSM reads its configuration once per process, so a test cannot
 * unplug a real token; this is the nearest to it.
 */
export const pkcs11FaultSeam = { tokenRemoved: false };

/** C_Encrypt and C_Decrypt calls this process made (docs/operations.md counts them; the bench prints them). */
export const pkcs11CallCount = { encrypt: 0, decrypt: 0 };

const libraries = new Map<string, Pkcs11>();

export function refusal(setting: string, rule: string, cause?: unknown): TelvaultError {
  return new TelvaultError('ERR_CONFIG_INVALID', `${setting}: ${rule}`, { cause });
}

/** The PKCS#11 return value name of an error (`CKR_PIN_INCORRECT`), or undefined. */
export function ckrName(err: unknown): string | undefined {
  if (err instanceof pkcs11js.Pkcs11Error) return err.message.split(':')[0];
  return undefined;
}

function library(setting: string, modulePath: string): Pkcs11 {
  const known = libraries.get(modulePath);
  if (known !== undefined) return known;
  const p = new pkcs11js.PKCS11();
  try {
    p.load(modulePath);
  } catch (err) {
    throw refusal(setting, `the PKCS#11 module (module-path) could not be loaded`, err);
  }
  try {
    p.C_Initialize();
  } catch (err) {
    if (ckrName(err) !== 'CKR_CRYPTOKI_ALREADY_INITIALIZED') {
      throw refusal(setting, `the PKCS#11 module (module-path) did not initialise`, err);
    }
  }
  libraries.set(modulePath, p);
  return p;
}

function findSlot(setting: string, p: Pkcs11, label: string): Handle {
  if (pkcs11FaultSeam.tokenRemoved) {
    throw refusal(setting, `no token labelled "${label}" is present (CKR_TOKEN_NOT_PRESENT)`);
  }
  const slots = p.C_GetSlotList(true).filter((s) => p.C_GetTokenInfo(s).label.trim() === label);
  const [slot] = slots;
  if (slot === undefined) throw refusal(setting, `no token labelled "${label}" is present`);
  if (slots.length > 1) throw refusal(setting, `${slots.length} tokens are labelled "${label}"`);
  return slot;
}

function readPin(setting: string, file: string): string {
  try {
    return readFileSync(file, 'utf8').replace(/\r?\n$/, '');
  } catch (err) {
    throw refusal(setting, 'the PIN file (pin-source) could not be read', err);
  }
}

function checkMechanism(setting: string, p: Pkcs11, slot: Handle): void {
  const both = pkcs11js.CKF_ENCRYPT | pkcs11js.CKF_DECRYPT;
  let flags: number;
  try {
    flags = p.C_GetMechanismInfo(slot, pkcs11js.CKM_AES_GCM).flags;
  } catch {
    flags = 0; // CKR_MECHANISM_INVALID: not offered at all
  }
  if ((flags & both) !== both) {
    throw refusal(setting, 'the token does not offer AES-GCM encrypt and decrypt (CKM_AES_GCM)');
  }
}

/** Opens a logged-in session with the URI's token; `rw` for creating a key. */
export function openTokenSession(setting: string, uri: Pkcs11Uri, rw = false): TokenSession {
  const p = library(setting, uri.modulePath);
  const slot = findSlot(setting, p, uri.token);
  checkMechanism(setting, p, slot);
  const pin = readPin(setting, uri.pinFile);
  const flags = pkcs11js.CKF_SERIAL_SESSION | (rw ? pkcs11js.CKF_RW_SESSION : 0);
  const session = p.C_OpenSession(slot, flags);
  try {
    p.C_Login(session, pkcs11js.CKU_USER, pin);
  } catch (err) {
    const name = ckrName(err);
    if (name !== 'CKR_USER_ALREADY_LOGGED_IN') {
      p.C_CloseSession(session);
      const why = name === 'CKR_PIN_INCORRECT' ? 'wrong PIN' : (name ?? 'failed');
      throw refusal(setting, `the token refused the PIN from pin-source (${why})`);
    }
  }
  return { p, slot, session };
}

/** Closes a session, ignoring a token that is gone already. */
export function closeTokenSession(s: TokenSession): void {
  try {
    s.p.C_CloseSession(s.session);
  } catch {
    // The session or token is gone: nothing to close.
  }
}

/** The secret keys labelled `label` in the token. */
export function findSecretKeys(s: TokenSession, label: string): Handle[] {
  s.p.C_FindObjectsInit(s.session, [
    { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_SECRET_KEY },
    { type: pkcs11js.CKA_LABEL, value: label },
  ]);
  try {
    return s.p.C_FindObjects(s.session, 10);
  } finally {
    s.p.C_FindObjectsFinal(s.session);
  }
}
