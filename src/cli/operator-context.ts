// Opens the services for an operator command (tenant, token, keys, audit) against the database
// directly. In a `telvault dev` data directory its key files are used too (dev-key-files.ts).
import { loadConfig, type TelvaultConfig } from '../config.js';
import { applyDevKeyFiles, type DevKeyFiles } from './dev-key-files.js';
import { pointAtDevSandbox } from './dev-sandbox-record.js';
import { openServices, type OpenedServices } from '../app/open-services.js';

export interface OperatorContext extends OpenedServices {
  config: TelvaultConfig;
  devKeyFiles: DevKeyFiles;
}

export interface OperatorOptions {
  /** The command reaches providers: on a `telvault dev` data directory, dev's sandbox. */
  providers?: boolean;
}

export async function openOperatorServices(
  env: NodeJS.ProcessEnv,
  opts: OperatorOptions = {},
): Promise<OperatorContext> {
  const config = loadConfig(env);
  const devKeyFiles = applyDevKeyFiles(config);
  if (opts.providers === true) pointAtDevSandbox(config, env);
  return { ...(await openServices(config)), config, devKeyFiles };
}

/** Runs `fn` with the services open, and closes them however it ends. */
export async function withOperatorServices<T>(
  env: NodeJS.ProcessEnv,
  fn: (s: OpenedServices['services']) => Promise<T>,
  opts: OperatorOptions = {},
): Promise<T> {
  const opened = await openOperatorServices(env, opts);
  try {
    return await fn(opened.services);
  } finally {
    await opened.close();
  }
}
