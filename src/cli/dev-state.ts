// `telvault dev` state under the data directory: a master key file (generated on first run, mode
// 0600, reused afterwards) and the root token. Only the root token's SHA-256 is kept (mode 0600):
// the token is printed once when it is made, and a copy of the directory does not hold it.
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Secret } from '../crypto/index.js';
import { generateToken, hashToken, ROOT_TOKEN_PREFIX } from '../services/tokens/index.js';
import { DEV_MASTER_KEY_FILE, DEV_PREVIOUS_MASTER_KEY_FILE } from './dev-key-files.js';

export { DEV_MASTER_KEY_FILE } from './dev-key-files.js';
export const DEV_ROOT_TOKEN_HASH_FILE = 'root-token.sha256';

export interface DevState {
  masterKey: Secret<string>;
  masterKeyFile: string;
  masterKeyCreated: boolean;
  rootTokenHash: Buffer;
  /** Set only when a root token was generated in this run (print it once). */
  newRootToken: Secret<string> | undefined;
}

function writePrivate(path: string, text: string): void {
  writeFileSync(path, text, { mode: 0o600, flag: 'w' });
  chmodSync(path, 0o600); // the umask may have narrowed, never widened, but be exact
}

export function prepareDevState(dataDir: string, opts: { newRootToken?: boolean } = {}): DevState {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const keyFile = join(dataDir, DEV_MASTER_KEY_FILE);
  let masterKeyCreated = false;
  if (!existsSync(keyFile)) {
    writePrivate(keyFile, `${randomBytes(32).toString('base64')}\n`);
    masterKeyCreated = true;
  }
  for (const f of [keyFile, join(dataDir, DEV_PREVIOUS_MASTER_KEY_FILE)]) {
    if (existsSync(f) && (statSync(f).mode & 0o077) !== 0) {
      throw new Error(`${f} is readable by other users: chmod 600 it`);
    }
  }
  const masterKey = new Secret(readFileSync(keyFile, 'utf8').trim());

  const hashFile = join(dataDir, DEV_ROOT_TOKEN_HASH_FILE);
  let newRootToken: Secret<string> | undefined;
  if (opts.newRootToken === true || !existsSync(hashFile)) {
    const token = generateToken(ROOT_TOKEN_PREFIX);
    writePrivate(hashFile, `${hashToken(token).toString('hex')}\n`);
    newRootToken = new Secret(token);
  }
  const hex = readFileSync(hashFile, 'utf8').trim();
  if (!/^[0-9a-f]{64}$/.test(hex)) throw new Error(`${hashFile} is not a SHA-256 hex digest`);
  return {
    masterKey,
    masterKeyFile: keyFile,
    masterKeyCreated,
    rootTokenHash: Buffer.from(hex, 'hex'),
    newRootToken,
  };
}
