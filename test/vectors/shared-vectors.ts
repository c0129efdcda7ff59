// Locates the published vectors in ../shared (never copied into the repository: Wycheproof is
// read in place). Suites skip, with a warning naming the path, when ../shared is absent.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const WYCHEPROOF_DIR = fileURLToPath(
  new URL('../../../shared/vectors/wycheproof/', import.meta.url),
);

/** Parsed JSON of a Wycheproof file, or undefined (with a console warning) when it is absent. */
export function loadWycheproof(file: string): unknown {
  const path = `${WYCHEPROOF_DIR}${file}`;
  if (!existsSync(path)) {
    console.warn(`Wycheproof vectors not found at ${path}: skipping ${file} (needs ../shared)`);
    return undefined;
  }
  return JSON.parse(readFileSync(path, 'utf8')) as unknown;
}

export interface WycheproofGroup<T> {
  [key: string]: unknown;
  tests: T[];
}

export interface WycheproofFile<T> {
  numberOfTests: number;
  testGroups: Array<WycheproofGroup<T>>;
}

export function hex(value: string): Buffer {
  return Buffer.from(value, 'hex');
}
