// Opens the services for an operator command (tenant, token, audit) against the database directly.
// Without TELVAULT_MASTER_KEY, the `telvault dev` key file under the data directory is used.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../config.js';
import { Secret } from '../crypto/secret.js';
import { DEV_MASTER_KEY_FILE } from './dev-state.js';
import { openServices, type OpenedServices } from '../app/open-services.js';

export async function openOperatorServices(env: NodeJS.ProcessEnv): Promise<OpenedServices> {
  const config = loadConfig(env);
  const devKey = join(config.dataDir, DEV_MASTER_KEY_FILE);
  if (config.masterKey === undefined && existsSync(devKey)) {
    config.masterKey = new Secret(readFileSync(devKey, 'utf8').trim());
  }
  return openServices(config);
}

/** Runs `fn` with the services open, and closes them however it ends. */
export async function withOperatorServices<T>(
  env: NodeJS.ProcessEnv,
  fn: (s: OpenedServices['services']) => Promise<T>,
): Promise<T> {
  const opened = await openOperatorServices(env);
  try {
    return await fn(opened.services);
  } finally {
    await opened.close();
  }
}
