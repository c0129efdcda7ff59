// Opens the services for an operator command (tenant, token, keys, audit) against the database
// directly. In a `telvault dev` data directory its key files are used too (dev-key-files.ts).
import { loadConfig, type TelvaultConfig } from '../config.js';
import { applyDevKeyFiles, type DevKeyFiles } from './dev-key-files.js';
import { openServices, type OpenedServices } from '../app/open-services.js';

export interface OperatorContext extends OpenedServices {
  config: TelvaultConfig;
  devKeyFiles: DevKeyFiles;
}

export async function openOperatorServices(env: NodeJS.ProcessEnv): Promise<OperatorContext> {
  const config = loadConfig(env);
  const devKeyFiles = applyDevKeyFiles(config);
  return { ...(await openServices(config)), config, devKeyFiles };
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
