// The mapping's legacy keys, each derived once (createLegacyDecoder) for the whole import, never
// per value. Their secrets come from an environment variable or a file the mapping names; a
// missing one is ERR_IMPORT_KEY_MISSING naming the key and the variable or file, never a value.
import { readFileSync } from 'node:fs';
import { createLegacyDecoder, type LegacyDecoder } from '../../crypto/index.js';
import { TelvaultError } from '../../errors.js';
import type { ImportMapping, KeySpec } from './mapping-schema.js';
import './errors.js';

/** Where a key's secret is read from (the CLI: the environment, files beside the mapping). */
export type KeySecretReader = (name: string, spec: KeySpec) => string;

export function envKeySecrets(
  env: Readonly<Record<string, string | undefined>>,
  resolveFile: (file: string) => string = (f) => f,
): KeySecretReader {
  return (name, spec) => {
    if (spec.secretEnv !== undefined) {
      const v = env[spec.secretEnv];
      if (v === undefined || v.length === 0) {
        throw new TelvaultError(
          'ERR_IMPORT_KEY_MISSING',
          `keys.${name}: environment variable ${spec.secretEnv} is not set`,
        );
      }
      return v;
    }
    const file = spec.secretFile ?? '';
    try {
      // One trailing newline is the file's, not the secret's.
      return readFileSync(resolveFile(file), 'utf8').replace(/\r?\n$/, '');
    } catch {
      throw new TelvaultError('ERR_IMPORT_KEY_MISSING', `keys.${name}: cannot read ${file}`);
    }
  };
}

export interface LegacyKeys {
  decoders: ReadonlyMap<string, LegacyDecoder>;
  /** Per key: its scheme and how many times it was derived (1: once for the whole import). */
  derivations: Record<string, { scheme: string; derived: number }>;
}

/** Derives every key the mapping uses, once each. */
export function openLegacyKeys(mapping: ImportMapping, read: KeySecretReader): LegacyKeys {
  const used = new Set<string>();
  for (const s of mapping.sources)
    for (const t of s.targets)
      for (const spec of Object.values(t.fields))
        for (const f of Array.isArray(spec) ? spec : [spec])
          if (f.key !== undefined) used.add(f.key);
  const decoders = new Map<string, LegacyDecoder>();
  const derivations: LegacyKeys['derivations'] = {};
  for (const [name, spec] of Object.entries(mapping.keys)) {
    if (!used.has(name)) continue;
    let params: unknown;
    if (spec.scheme === 'plaintext') params = undefined;
    else if (spec.scheme === 'gcm-packed-b64') params = { ...spec.params, key: read(name, spec) };
    else params = { ...spec.params, secret: read(name, spec) };
    try {
      decoders.set(name, createLegacyDecoder(spec.scheme, params));
    } catch (err) {
      if (!(err instanceof TelvaultError)) throw err;
      // The decoder's messages name the parameter and the rule, never its value.
      throw new TelvaultError('ERR_IMPORT_MAPPING_INVALID', `keys.${name}: ${err.message}`);
    }
    derivations[name] = { scheme: spec.scheme, derived: 1 };
  }
  return { decoders, derivations };
}
