// The master keys a node holds. `current` is TELVAULT_MASTER_KEY: the one a fresh store records
// as current and the one `keys rotate-master` rewraps under. `next` (TELVAULT_MASTER_KEY_NEXT) is
// a key the node accepts before it becomes current, `previous` (TELVAULT_MASTER_KEY_PREVIOUS) one
// it still accepts after. A node wraps only under the store's current master key (see
// master-key-state.ts), which may be any of the three. Each comes from its own provider: the local
// key (the variable or its _FILE) or a token over PKCS#11 (the variable's _PKCS11 form).
import type { TelvaultConfig } from '../../config.js';
import { parseMasterKey, type MasterKey } from '../../crypto/index.js';
import { TelvaultError } from '../../errors.js';
import { openPkcs11MasterKey } from './pkcs11/pkcs11-master-key.js';

export interface MasterKeys {
  current: MasterKey;
  next?: MasterKey | undefined;
  previous?: MasterKey | undefined;
}

/** The variables that supply a master key, for messages that ask for one. */
export const MASTER_KEY_VARIABLES =
  'TELVAULT_MASTER_KEY, TELVAULT_MASTER_KEY_NEXT or TELVAULT_MASTER_KEY_PREVIOUS (or their _FILE or _PKCS11 variants)';

/** Every key held, current first, without duplicates: the set `unwrapKey` picks from by id. */
export function masterKeyList(keys: MasterKeys): MasterKey[] {
  const out: MasterKey[] = [];
  for (const k of [keys.current, keys.next, keys.previous]) {
    if (k !== undefined && !out.some((o) => o.id === k.id)) out.push(k);
  }
  return out;
}

/** The ids held, sorted (what a node declares). */
export function heldMasterKeyIds(keys: MasterKeys): string[] {
  return masterKeyList(keys)
    .map((k) => k.id)
    .sort();
}

export function masterKeyUnknown(masterId: string, cause?: unknown): TelvaultError {
  return new TelvaultError(
    'ERR_MASTER_KEY_UNKNOWN',
    `master key "${masterId}" is not configured on this node: set ${MASTER_KEY_VARIABLES} to it`,
    { cause },
  );
}

function parseNamed(name: string, text: string): MasterKey {
  try {
    return parseMasterKey(text);
  } catch (err) {
    const why = err instanceof TelvaultError ? err.message : 'invalid';
    throw new TelvaultError('ERR_CONFIG_INVALID', `${name} is not a usable master key: ${why}`);
  }
}

type MasterKeyConfig = Pick<TelvaultConfig, 'masterKey' | 'masterKeyPrevious'> &
  Partial<
    Pick<
      TelvaultConfig,
      'masterKeyNext' | 'masterKeyPkcs11' | 'masterKeyPreviousPkcs11' | 'masterKeyNextPkcs11'
    >
  >;

function loadOne(
  name: string,
  local: { reveal(): string } | undefined,
  pkcs11: string | undefined,
): MasterKey | undefined {
  if (pkcs11 !== undefined) return openPkcs11MasterKey(`${name}_PKCS11`, pkcs11);
  return local === undefined ? undefined : parseNamed(name, local.reveal());
}

/**
 * Opens TELVAULT_MASTER_KEY (required), _NEXT and _PREVIOUS (optional), each from its local form
 * or its _PKCS11 form (a token: see pkcs11/pkcs11-master-key.ts for its refusals).
 */
export function loadMasterKeys(config: MasterKeyConfig): MasterKeys {
  const current = loadOne('TELVAULT_MASTER_KEY', config.masterKey, config.masterKeyPkcs11);
  if (current === undefined) {
    throw new TelvaultError(
      'ERR_CONFIG_MISSING',
      'TELVAULT_MASTER_KEY (or TELVAULT_MASTER_KEY_FILE) is not set, nor TELVAULT_MASTER_KEY_PKCS11: generate one with `telvault keygen` (or `telvault keygen --pkcs11 <uri>`)',
    );
  }
  return {
    current,
    next: loadOne('TELVAULT_MASTER_KEY_NEXT', config.masterKeyNext, config.masterKeyNextPkcs11),
    previous: loadOne(
      'TELVAULT_MASTER_KEY_PREVIOUS',
      config.masterKeyPrevious,
      config.masterKeyPreviousPkcs11,
    ),
  };
}
