// The PKCS#11 URI (RFC 7512) that names a master key in a token, as TELVAULT_MASTER_KEY_PKCS11 and
// `telvault keygen --pkcs11` take it:
//   pkcs11:token=<token label>;object=<key label>?module-path=<library>&pin-source=file:<path>
// The PIN comes from a file only: never in the URI (pin-value is refused), so never on a command
// line or in an environment listing. Errors name the setting and the rule, never the PIN.
import { TelvaultError } from '../../../errors.js';

export interface Pkcs11Uri {
  /** The token label (CKA_LABEL of the token, 32 bytes at most). */
  token: string;
  /** The key label (CKA_LABEL of the secret key). */
  object: string;
  /** The PKCS#11 library to load (absolute path). */
  modulePath: string;
  /** The file the user PIN is read from (absolute path). */
  pinFile: string;
}

const PATH_ATTRIBUTES = new Set(['token', 'object', 'type']);
const QUERY_ATTRIBUTES = new Set(['module-path', 'pin-source']);

function invalid(setting: string, rule: string): TelvaultError {
  return new TelvaultError('ERR_CONFIG_INVALID', `${setting}: ${rule}`);
}

function decode(setting: string, name: string, value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    throw invalid(setting, `"${name}" has a malformed percent-encoding`);
  }
}

function attributes(
  setting: string,
  text: string,
  separator: string,
  allowed: ReadonlySet<string>,
): Map<string, string> {
  const out = new Map<string, string>();
  if (text === '') return out;
  for (const part of text.split(separator)) {
    const eq = part.indexOf('=');
    const name = eq < 0 ? part : part.slice(0, eq);
    if (name === 'pin-value') {
      throw invalid(setting, 'the PIN must not be in the URI: use pin-source=file:<path>');
    }
    if (!allowed.has(name)) {
      throw invalid(setting, `"${name}" is not supported (use ${[...allowed].join(', ')})`);
    }
    if (eq < 0 || out.has(name)) throw invalid(setting, `"${name}" expected once, as name=value`);
    out.set(name, decode(setting, name, part.slice(eq + 1)));
  }
  return out;
}

/** Parses a PKCS#11 URI given as `setting` (named in every error). */
export function parsePkcs11Uri(setting: string, text: string): Pkcs11Uri {
  if (typeof text !== 'string' || !text.startsWith('pkcs11:')) {
    throw invalid(setting, 'expected a PKCS#11 URI (RFC 7512) starting with "pkcs11:"');
  }
  const body = text.slice('pkcs11:'.length);
  const q = body.indexOf('?');
  const path = attributes(setting, q < 0 ? body : body.slice(0, q), ';', PATH_ATTRIBUTES);
  const query = attributes(setting, q < 0 ? '' : body.slice(q + 1), '&', QUERY_ATTRIBUTES);
  const need = (map: Map<string, string>, name: string, where: string): string => {
    const v = map.get(name);
    if (v === undefined || v === '') throw invalid(setting, `"${name}" is required ${where}`);
    return v;
  };
  const type = path.get('type');
  if (type !== undefined && type !== 'secret-key') {
    throw invalid(setting, '"type" expected secret-key');
  }
  const token = need(path, 'token', 'in the path (the token label)');
  if (Buffer.byteLength(token) > 32) throw invalid(setting, '"token" expected at most 32 bytes');
  const modulePath = need(query, 'module-path', 'in the query (the PKCS#11 library)');
  if (!modulePath.startsWith('/'))
    throw invalid(setting, '"module-path" expected an absolute path');
  const pinSource = need(query, 'pin-source', 'in the query (pin-source=file:<path>)');
  const pinFile = pinSource.replace(/^file:(\/\/(?=\/))?/, '');
  if (!pinSource.startsWith('file:') || !pinFile.startsWith('/')) {
    throw invalid(setting, '"pin-source" expected file:<absolute path>');
  }
  return {
    token,
    object: need(path, 'object', 'in the path (the key label)'),
    modulePath,
    pinFile,
  };
}
