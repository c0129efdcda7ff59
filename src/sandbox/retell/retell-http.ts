// Shared by the Retell routes: error bodies and the workspace the request's API key opened.
import type { FastifyReply, FastifyRequest } from 'fastify';

// Messages from the spec's error examples (components/responses).
export const RETELL_MESSAGES = {
  badRequest: 'Invalid request format, please check API reference.',
  unauthorized: 'API key is missing or invalid.',
  notFound: 'Cannot find requested asset under given api key.',
  duplicate: 'Phone number already exists.',
  internal: 'An unexpected server error occurred.',
} as const;

const workspaces = new WeakMap<FastifyRequest, string>();

/** Retell's error body for every status: `{"status":"error","message":"…"}`. */
export function retellError(reply: FastifyReply, status: number, message: string): FastifyReply {
  return reply.code(status).send({ status: 'error', message });
}

export function setWorkspace(request: FastifyRequest, workspace: string): void {
  workspaces.set(request, workspace);
}

/** The workspace the request's API key opened (set by the auth hook). */
export function workspaceOf(request: FastifyRequest): string {
  const ws = workspaces.get(request);
  if (ws === undefined) throw new Error('retell: request was not authenticated');
  return ws;
}
