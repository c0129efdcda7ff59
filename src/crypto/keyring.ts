// A set of data keys with states. Seal with the primary; open by the key id in the envelope.
import { dataKeyInternals, type DataKey, type DataKeyInternals } from './data-key.js';
import { TelvaultError } from './errors.js';
import { argumentError } from './failures.js';
import { isKeyId, type KeyId } from './key-id.js';

export type KeyState = 'primary' | 'decrypt-only' | 'retired';

export interface KeyringEntry {
  key: DataKey;
  state: KeyState;
}

export interface Keyring {
  /** The key new envelopes are sealed with. */
  primary(): DataKey;
  /** The key for an id; unknown -> ERR_CRYPTO_KEY_UNKNOWN, retired -> ERR_CRYPTO_KEY_RETIRED. */
  get(id: KeyId): DataKey;
  /** True when the ring holds the id in any state (retired included). */
  has(id: KeyId): boolean;
  entries(): ReadonlyArray<{ key: DataKey; state: KeyState }>;
}

/**
 * What openField needs from a keyring made by createKeyring, resolved once when the ring is built:
 * one WeakMap lookup per open replaces keyring.get and the DataKey brand check. The ring is frozen,
 * so its get() cannot differ from this table. Never exposed outside src/crypto.
 */
export interface KeyringTable {
  /** `tv1.<primary id>.`: an envelope starting with it (and a valid payload) names the primary. */
  readonly primaryHeader: string;
  readonly primary: DataKeyInternals;
  /** Internals of every key that may open (primary and decrypt-only); retired ids are absent. */
  readonly openable: ReadonlyMap<string, DataKeyInternals>;
}

const tables = new WeakMap<Keyring, KeyringTable>();

/** The table of a keyring made by createKeyring; undefined for any other Keyring implementation. */
export function keyringTable(keyring: Keyring): KeyringTable | undefined {
  return tables.get(keyring);
}

const STATES: ReadonlySet<string> = new Set<KeyState>(['primary', 'decrypt-only', 'retired']);

// Key ids are not secret, but only a well-formed one is echoed.
function show(id: string): string {
  return typeof id === 'string' && isKeyId(id) ? ` "${id}"` : '';
}

export function createKeyring(entries: ReadonlyArray<KeyringEntry>): Keyring {
  if (!Array.isArray(entries)) throw argumentError('"entries" expected an array');
  const byId = new Map<string, KeyringEntry>();
  const openable = new Map<string, DataKeyInternals>();
  let primaryKey: DataKey | undefined;
  for (const entry of entries as ReadonlyArray<KeyringEntry>) {
    const internals = dataKeyInternals(entry.key); // a real DataKey
    if (!STATES.has(entry.state)) {
      throw argumentError('"state" expected primary, decrypt-only or retired');
    }
    if (byId.has(entry.key.id)) throw argumentError(`"entries" has key id "${entry.key.id}" twice`);
    byId.set(entry.key.id, Object.freeze({ key: entry.key, state: entry.state }));
    if (entry.state !== 'retired') openable.set(entry.key.id, internals);
    if (entry.state === 'primary') {
      if (primaryKey !== undefined)
        throw argumentError('"entries" expected exactly one primary key');
      primaryKey = entry.key;
    }
  }
  if (primaryKey === undefined) throw argumentError('"entries" expected exactly one primary key');
  const primary = primaryKey;
  const list = Object.freeze([...byId.values()]);

  const ring: Keyring = Object.freeze({
    primary: (): DataKey => primary,
    get(id: KeyId): DataKey {
      const entry = byId.get(id);
      if (entry === undefined) {
        throw new TelvaultError(
          'ERR_CRYPTO_KEY_UNKNOWN',
          `key id${show(id)} is not in the keyring`,
        );
      }
      if (entry.state === 'retired') {
        throw new TelvaultError('ERR_CRYPTO_KEY_RETIRED', `key id${show(id)} is retired`);
      }
      return entry.key;
    },
    has: (id: KeyId): boolean => byId.has(id),
    entries: (): ReadonlyArray<KeyringEntry> => list,
  });
  const primaryInternals = dataKeyInternals(primary);
  tables.set(ring, {
    primaryHeader: primaryInternals.header,
    primary: primaryInternals,
    openable,
  });
  return ring;
}
