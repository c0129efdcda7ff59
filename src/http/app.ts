// The Fastify app: request ids, body limits, the one error handler, and routes registered from
// their specs (authorize → validate → handle → serialize through the response schema).
import { randomUUID } from 'node:crypto';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyRequest,
} from 'fastify';
import { TelvaultError } from '../errors.js';
import type { Logger } from '../services/common/index.js';
import { parseInput } from '../services/common/index.js';
import { actorOf, authorize, type AuthDeps } from './auth.js';
import { guardConnections } from './connection-guard.js';
import { errorBody, errorHandler } from './error-handler.js';
import type { RouteSpec } from './route-spec.js';

/** What a client may hold of the server: the bounds of config.connections, resolved. */
export interface ServerLimits {
  maxConnections: number;
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
}

export interface CreateAppInput extends AuthDeps {
  logger: Logger;
  routes: readonly RouteSpec[];
  limits: ServerLimits;
  /** Largest accepted request body in bytes (default 64 KiB). */
  bodyLimit?: number;
}

const REQUEST_ID = /^[A-Za-z0-9._-]{8,64}$/;

function requestId(req: { headers: Record<string, unknown> }): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
}

/** No body, or `{}` (which some clients send with every POST). */
function isEmptyBody(body: unknown): boolean {
  if (body === undefined || body === null || body === '') return true;
  return typeof body === 'object' && !Array.isArray(body) && Object.keys(body).length === 0;
}

function register(app: FastifyInstance, deps: CreateAppInput, spec: RouteSpec): void {
  app.route({
    method: spec.method,
    url: spec.url,
    handler: async (request: FastifyRequest, reply) => {
      const access = spec.access;
      const principal =
        access.kind === 'public'
          ? ({ kind: 'root' } as const)
          : await authorize(deps, access, request);
      const params: unknown =
        spec.params === undefined ? {} : parseInput(spec.params, request.params, 'params');
      const query: unknown =
        spec.query === undefined ? {} : parseInput(spec.query, request.query, 'query');
      let body: unknown = undefined;
      if (spec.body !== undefined) body = parseInput(spec.body, request.body, 'body');
      else if (!isEmptyBody(request.body)) {
        throw new TelvaultError('ERR_VALIDATION', 'body: this route takes no body');
      }
      const result = await spec.handler({
        params,
        query,
        body,
        principal,
        actor: actorOf(principal),
        request,
        reply,
      });
      if (spec.response === undefined) return reply.code(spec.status).send();
      // Every response goes through its schema: unknown fields are stripped, and a response that
      // does not fit is a bug (500), never sent as it is.
      const shaped = spec.response.safeParse(result);
      if (!shaped.success)
        throw new Error(`response of ${spec.operationId} does not fit its schema`);
      return reply.code(spec.status).send(shaped.data);
    },
  });
}

export function createApp(deps: CreateAppInput): FastifyInstance {
  const { limits } = deps;
  // Typed as Fastify's logger so the app keeps the default instance type.
  const loggerInstance: FastifyBaseLogger = deps.logger;
  const app: FastifyInstance = Fastify({
    loggerInstance,
    bodyLimit: deps.bodyLimit ?? 64 * 1024,
    genReqId: requestId,
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    return503OnClosing: true,
    // A client that trickles its request does not hold a connection forever.
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    http: {
      // Node's connection check closes (408) a socket whose headers are not complete in time,
      // one that has sent nothing at all included; a socket timeout would also cut off a slow
      // answer. The check runs every connectionsCheckingInterval (default 30 s), so run it often
      // enough for the headers timeout to mean what it says.
      headersTimeout: limits.headersTimeoutMs,
      connectionsCheckingInterval: Math.min(1_000, limits.headersTimeoutMs),
    },
    routerOptions: { maxParamLength: 256 },
  });
  guardConnections(app.server, limits.maxConnections, deps.logger);
  // Callback style: an async hook would cost every response a promise and a hop for two headers.
  app.addHook('onSend', (request, reply, payload, done) => {
    void reply.header('x-request-id', request.id);
    void reply.header('cache-control', 'no-store');
    done(null, payload);
  });
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((request, reply) => {
    void reply.code(404).send(errorBody('ERR_NOT_FOUND', 'not found', request.id));
  });
  for (const spec of deps.routes) register(app, deps, spec);
  return app;
}
