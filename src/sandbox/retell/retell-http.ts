// Shared by the Retell routes: error bodies and the workspace the request's API key opened.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { createRequestPrincipal } from '../core/request-principal.js';

// Messages from the spec's error examples (components/responses).
export const RETELL_MESSAGES = {
  badRequest: 'Invalid request format, please check API reference.',
  unauthorized: 'API key is missing or invalid.',
  notFound: 'Cannot find requested asset under given api key.',
  duplicate: 'Phone number already exists.',
  internal: 'An unexpected server error occurred.',
} as const;

const workspaces = createRequestPrincipal<string>('retell');

/** Retell's error body for every status: `{"status":"error","message":"…"}`. */
export function retellError(reply: FastifyReply, status: number, message: string): FastifyReply {
  return reply.code(status).send({ status: 'error', message });
}

export function setWorkspace(request: FastifyRequest, workspace: string): void {
  workspaces.remember(request, workspace);
}

/** The workspace the request's API key opened (set by the auth hook). */
export function workspaceOf(request: FastifyRequest): string {
  return workspaces.of(request);
}
