// Strict parsing shared by the legacy decoders. Errors name the field and the rule, never a value.
import { TelvaultError } from '../errors.js';

export function paramsError(message: string): TelvaultError {
  return new TelvaultError('ERR_LEGACY_PARAMS_INVALID', message);
}

export function inputError(message: string): TelvaultError {
  return new TelvaultError('ERR_LEGACY_INPUT_INVALID', message);
}

export function legacyDecryptFailed(): TelvaultError {
  return new TelvaultError('ERR_LEGACY_DECRYPT_FAILED', 'decryption failed');
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The params object with exactly the `allowed` fields (all required). */
export function readParams(params: unknown, allowed: readonly string[]): Record<string, unknown> {
  if (!isPlainObject(params)) throw paramsError('"params" expected an object');
  for (const name of Object.keys(params)) {
    if (!allowed.includes(name)) {
      throw paramsError(`"params" expected only ${allowed.join(', ')}; got an unknown field`);
    }
  }
  for (const name of allowed) {
    if (params[name] === undefined) throw paramsError(`"${name}" is required`);
  }
  return params;
}

export function readString(name: string, value: unknown, allowEmpty: boolean): string {
  if (typeof value !== 'string') throw paramsError(`"${name}" expected a string`);
  if (!allowEmpty && value.length === 0) throw paramsError(`"${name}" must not be empty`);
  return value;
}

/** An input object with exactly the `fields`, each a string. */
export function readInputFields(input: unknown, fields: readonly string[]): Record<string, string> {
  if (!isPlainObject(input)) throw inputError(`input expected an object with ${fields.join(', ')}`);
  for (const name of Object.keys(input)) {
    if (!fields.includes(name)) throw inputError(`input expected only ${fields.join(', ')}`);
  }
  const out: Record<string, string> = {};
  for (const name of fields) {
    const value = input[name];
    if (typeof value !== 'string') throw inputError(`"${name}" expected a hex string`);
    out[name] = value;
  }
  return out;
}

const LOWER_HEX = /^(?:[0-9a-f]{2})*$/;

/** Lower-case hex with an even number of digits; `bytes` when given is the exact length. */
export function readHex(name: string, value: string, bytes?: number): Buffer {
  if (!LOWER_HEX.test(value)) {
    throw inputError(`"${name}" expected lower-case hex with an even number of digits`);
  }
  if (bytes !== undefined && value.length !== bytes * 2) {
    throw inputError(
      `"${name}" expected ${bytes} bytes (${bytes * 2} hex digits), got ${value.length / 2}`,
    );
  }
  return Buffer.from(value, 'hex');
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Standard base64 with padding, canonical (re-encodes to the same text). */
export function readBase64(
  name: string,
  value: string,
  error: (m: string) => TelvaultError,
): Buffer {
  const bytes = Buffer.from(value, 'base64');
  if (value.length % 4 !== 0 || !BASE64.test(value) || bytes.toString('base64') !== value) {
    throw error(`"${name}" expected standard base64 with padding`);
  }
  return bytes;
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Decrypted bytes as text; invalid UTF-8 (e.g. a CBC wrong key that passed padding) fails. */
export function decodeUtf8(bytes: Buffer): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw legacyDecryptFailed();
  } finally {
    bytes.fill(0);
  }
}
