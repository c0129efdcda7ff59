// What a provider's auth hook found for a request (an account, a workspace, a key), kept for the
// routes that answer it. Per request, forgotten with it.
import type { FastifyRequest } from 'fastify';

export interface RequestPrincipal<T> {
  remember(request: FastifyRequest, value: T): void;
  /** What the auth hook remembered; a route reached without it is a bug in the emulator. */
  of(request: FastifyRequest): T;
}

export function createRequestPrincipal<T extends object | string>(
  provider: string,
): RequestPrincipal<T> {
  const values = new WeakMap<FastifyRequest, T>();
  return {
    remember: (request, value) => void values.set(request, value),
    of(request) {
      const value = values.get(request);
      if (value === undefined) throw new Error(`${provider}: request was not authenticated`);
      return value;
    },
  };
}
