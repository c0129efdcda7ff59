// Who is calling, and may they call this route. Order matters: an unknown token is 401 (on every
// route, `authenticated` ones too: they need a valid token, nothing more); a token of
// another tenant is 404 on every tenant route whatever the path holds (it learns nothing about what
// exists); then a missing scope is 403; the root token on a tenant route needs the tenant to exist.
// A missing or unknown token is counted against the client's address: over the limit, the answer is
// 429 with Retry-After instead of 401. A valid token is never counted nor refused by that limit.
import type { FastifyRequest } from 'fastify';
import { TelvaultError } from '../errors.js';
import type { Actor } from '../services/audit/index.js';
import { RateLimitError, type AuthFailureLimiter } from '../services/limits/index.js';
import type { Principal, TokenService } from '../services/tokens/index.js';
import type { RouteAccess } from './route-spec.js';

const BEARER = /^Bearer ([\x21-\x7e]{1,512})$/i;

export interface AuthDeps {
  tokens: Pick<TokenService, 'authenticate'>;
  tenantExists: (tenantId: string) => Promise<boolean>;
  authFailures: AuthFailureLimiter;
}

export function actorOf(p: Principal): Actor {
  return p.kind === 'root'
    ? { kind: 'root' }
    : { kind: 'token', tokenId: p.tokenId, tenantId: p.tenantId };
}

const notFound = () => new TelvaultError('ERR_NOT_FOUND', 'not found');

async function authorizeRequest(
  deps: AuthDeps,
  access: Exclude<RouteAccess, { kind: 'public' }>,
  request: FastifyRequest,
): Promise<Principal> {
  const header = request.headers.authorization;
  if (header === undefined || header === '') {
    throw new TelvaultError('ERR_AUTH_MISSING', 'authorization: a Bearer token is required');
  }
  const m = BEARER.exec(header);
  const principal = m?.[1] === undefined ? undefined : await deps.tokens.authenticate(m[1]);
  if (principal === undefined) {
    throw new TelvaultError(
      'ERR_AUTH_INVALID',
      // Another scheme (Basic, Digest…) is a client set up wrongly, not a bad token: say so.
      /^bearer(\s|$)/i.test(header)
        ? 'authorization: the token is invalid, expired or revoked'
        : 'authorization: expected a Bearer token',
    );
  }
  const params = request.params as Record<string, unknown>;
  const tenantId = typeof params['tenantId'] === 'string' ? params['tenantId'] : undefined;
  if (access.kind === 'authenticated') return principal;
  if (principal.kind === 'tenant') {
    if (tenantId !== undefined && tenantId !== principal.tenantId) throw notFound();
    if (access.kind === 'root') {
      throw new TelvaultError('ERR_AUTH_FORBIDDEN', 'this route needs the root token');
    }
    if (!principal.scopes.has(access.scope)) {
      throw new TelvaultError('ERR_AUTH_FORBIDDEN', `this route needs the ${access.scope} scope`);
    }
    if (access.also !== undefined && !principal.scopes.has(access.also)) {
      throw new TelvaultError(
        'ERR_AUTH_FORBIDDEN',
        `this route also needs the ${access.also} scope`,
      );
    }
    return principal;
  }
  if (access.kind === 'tenant' && !access.root) {
    throw new TelvaultError(
      'ERR_AUTH_FORBIDDEN',
      `this route needs a tenant token with ${access.scope}`,
    );
  }
  if (tenantId !== undefined && !(await deps.tenantExists(tenantId))) throw notFound();
  return principal;
}

const FAILED_AUTHENTICATION = new Set<string>(['ERR_AUTH_MISSING', 'ERR_AUTH_INVALID']);

export async function authorize(
  deps: AuthDeps,
  access: Exclude<RouteAccess, { kind: 'public' }>,
  request: FastifyRequest,
): Promise<Principal> {
  try {
    return await authorizeRequest(deps, access, request);
  } catch (err) {
    if (!(err instanceof TelvaultError) || !FAILED_AUTHENTICATION.has(err.code)) throw err;
    const wait = await deps.authFailures.recordFailure(request.ip);
    if (wait === undefined) throw err;
    throw new RateLimitError(
      'ERR_AUTH_RATE_LIMITED',
      `too many failed authentications from this address: retry after ${wait} s`,
      wait,
    );
  }
}
