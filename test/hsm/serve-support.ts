// A `telvault serve` in this process (the HSM tests' token is per process) for the length of `fn`,
// with a JSON caller that sends the root token unless told another.
import { startServe } from '../../src/cli/serve-command.js';
import { captureIo } from '../support/cli.js';

export type Caller = (
  method: string,
  path: string,
  body?: unknown,
  token?: string,
) => Promise<{ status: number; text: string }>;

export async function withServe<T>(
  env: NodeJS.ProcessEnv,
  rootToken: string,
  fn: (call: Caller) => Promise<T>,
): Promise<T> {
  const io = captureIo();
  const server = await startServe(env, io.io, 0);
  const url = /listening on (\S+)/.exec(io.out())?.[1] ?? '';
  try {
    return await fn(async (method, path, body, token = rootToken) => {
      const res = await fetch(`${url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: res.status, text: await res.text() };
    });
  } finally {
    await server.close();
  }
}
