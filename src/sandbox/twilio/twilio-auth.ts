// HTTP Basic authentication for both Twilio hosts (401 / 20003 "Authenticate").
import type { FastifyRequest } from 'fastify';
import { TwilioHttpError } from './twilio-format.js';
import type { TwilioPrincipal, TwilioStore } from './twilio-store.js';

const principals = new WeakMap<FastifyRequest, TwilioPrincipal>();

export function authError(): TwilioHttpError {
  return new TwilioHttpError(401, 20003, 'Authenticate');
}

function credentialsOf(request: FastifyRequest): [string, string] | undefined {
  const header = request.headers.authorization;
  if (header === undefined || !/^Basic /i.test(header)) return undefined;
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon === -1) return undefined;
  return [decoded.slice(0, colon), decoded.slice(colon + 1)];
}

/** Authenticates the request (throws 401/20003) and remembers its principal. */
export function authenticate(store: TwilioStore, request: FastifyRequest): TwilioPrincipal {
  const credentials = credentialsOf(request);
  const principal = credentials === undefined ? undefined : store.authenticate(...credentials);
  if (principal === undefined) throw authError();
  principals.set(request, principal);
  return principal;
}

export function principalOf(request: FastifyRequest): TwilioPrincipal {
  const principal = principals.get(request);
  if (principal === undefined) throw authError();
  return principal;
}
