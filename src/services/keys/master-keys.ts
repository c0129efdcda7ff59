// The master keys a node holds: the current one (wraps every new or rewrapped key) and, during a
// master-key rotation, the previous one (still unwraps keys not yet rewrapped).
import type { TelvaultConfig } from '../../config.js';
import { parseMasterKey, type MasterKey } from '../../crypto/index.js';
import { TelvaultError } from '../../errors.js';

export interface MasterKeys {
  current: MasterKey;
  previous?: MasterKey | undefined;
}

/** Both keys, current first: the set `unwrapKey` picks from by id. */
export function masterKeyList(keys: MasterKeys): MasterKey[] {
  return keys.previous === undefined || keys.previous.id === keys.current.id
    ? [keys.current]
    : [keys.current, keys.previous];
}

/** Parses TELVAULT_MASTER_KEY (required) and TELVAULT_MASTER_KEY_PREVIOUS (optional). */
export function loadMasterKeys(
  config: Pick<TelvaultConfig, 'masterKey' | 'masterKeyPrevious'>,
): MasterKeys {
  if (config.masterKey === undefined) {
    throw new TelvaultError(
      'ERR_CONFIG_MISSING',
      'TELVAULT_MASTER_KEY (or TELVAULT_MASTER_KEY_FILE) is not set: generate one with `telvault keygen`',
    );
  }
  const current = parseMasterKey(config.masterKey.reveal());
  const previous =
    config.masterKeyPrevious === undefined
      ? undefined
      : parseMasterKey(config.masterKeyPrevious.reveal());
  return { current, previous };
}
