// The Fastify app: request ids, body limits, the one error handler, and routes registered from
// their specs (storable text → authorize → validate → handle → serialize through the response
// schema). A request no route takes is a 405 when its path exists under another method, a 400 when
// its path breaks the rules of the routes it would fit, and otherwise a 404.
import { randomUUID } from 'node:crypto';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import { TelvaultError } from '../errors.js';
import type { Logger } from '../services/common/index.js';
import { assertSafeInput, parseChecked } from '../services/common/index.js';
import { IDEMPOTENCY_KEY_HEADER, idempotencyKeyOf } from '../services/idempotency/index.js';
import { actorOf, authorize, type AuthDeps } from './auth.js';
import { DISCARD_BOUND, discardRestOfBody } from './body-drain.js';
import { guardConnections } from './connection-guard.js';
import {
  isConsolePath,
  registerConsoleRoutes,
  setConsoleHeaders,
  type ConsoleFiles,
} from './console-routes.js';
import { errorHandler } from './error-handler.js';
import {
  allowHeader,
  createRouteTable,
  MAX_PATH_SEGMENT,
  shownPath,
  undecodablePath,
  type RouteTable,
} from './route-match.js';
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
  /** The admin console's build, served at /console (none: /console is not a route). */
  console?: ConsoleFiles;
}

const REQUEST_ID = /^[A-Za-z0-9._-]{8,64}$/;

function requestId(req: { headers: Record<string, unknown> }): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
}

/**
 * Every other answer's policy: it is data, never a page, a script or a frame. The API echoes stored
 * strings (and a 404 the path), so no browser may sniff an answer into HTML or run anything in it.
 */
const API_CSP = "default-src 'none'; frame-ancestors 'none'";

/** The headers of every answer; the console's own on its answers, refusals included. */
function setCommonHeaders(request: FastifyRequest, reply: FastifyReply): void {
  void reply.header('x-request-id', request.id);
  // Only the console's files say otherwise (hashed assets are immutable); the rest is no-store.
  if (!reply.hasHeader('cache-control')) void reply.header('cache-control', 'no-store');
  if (isConsolePath(request.url)) setConsoleHeaders(reply);
  else {
    void reply.header('x-content-type-options', 'nosniff');
    void reply.header('content-security-policy', API_CSP);
  }
}

/** No body, or `{}` (which some clients send with every POST). */
function isEmptyBody(body: unknown): boolean {
  if (body === undefined || body === null || body === '') return true;
  return typeof body === 'object' && !Array.isArray(body) && Object.keys(body).length === 0;
}

/** The route's Idempotency-Key, checked; none read on a route that takes none. */
function idempotencyKeyFor(spec: RouteSpec, request: FastifyRequest): string | undefined {
  if (spec.idempotencyKey === undefined) return undefined;
  const key = idempotencyKeyOf(request.headers['idempotency-key']);
  if (key === undefined && spec.idempotencyKey === 'required') {
    throw new TelvaultError('ERR_VALIDATION', `${IDEMPOTENCY_KEY_HEADER}: the header is required`);
  }
  return key;
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
        spec.params === undefined ? {} : parseChecked(spec.params, request.params, 'params');
      const query: unknown =
        spec.query === undefined ? {} : parseChecked(spec.query, request.query, 'query');
      let body: unknown = undefined;
      // The preValidation hook below has applied the text rules: only the schema is left.
      if (spec.body !== undefined) body = parseChecked(spec.body, request.body, 'body');
      else if (!isEmptyBody(request.body)) {
        throw new TelvaultError('ERR_VALIDATION', 'body: this route takes no body');
      }
      const idempotencyKey = idempotencyKeyFor(spec, request);
      const result = await spec.handler({
        params,
        query,
        body,
        principal,
        actor: actorOf(principal),
        idempotencyKey,
        request,
        reply,
      });
      // A handler that answered itself (a redirect) is done.
      if (reply.sent) return reply;
      if (spec.response === undefined) return reply.code(spec.status).send();
      // Every response goes through its schema: unknown fields are stripped, and a response that
      // does not fit is a bug (500), never sent as it is.
      const shaped = spec.response.safeParse(result);
      if (!shaped.success)
        throw new Error(`response of ${spec.operationId} does not fit its schema`);
      const status = spec.alternate?.statusFor(result) ?? spec.status;
      // 204 carries no body, whatever the handler answered.
      return status === 204 ? reply.code(204).send() : reply.code(status).send(shaped.data);
    },
  });
}

/**
 * No route for this method and path. The path's shape is public (the OpenAPI document), so the
 * answer needs no token: 405 naming the methods the path has, or the 400 those routes give to a
 * path whose params break their rules (`PUT …/credentials/vonage` answers what `GET` answers).
 */
function noRoute(
  table: RouteTable,
  specs: ReadonlyMap<string, RouteSpec>,
  request: FastifyRequest,
  reply: FastifyReply,
): never {
  const path = request.url.split('?')[0] ?? '';
  const fits = table.fits(path);
  if (fits.length === 0) {
    throw new TelvaultError(
      'ERR_NOT_FOUND',
      `no route ${request.method} ${shownPath(path)}: the routes are listed at /openapi.json`,
    );
  }
  let refusal: unknown;
  const allowed: string[] = [];
  for (const f of fits) {
    const schema = specs.get(f.url)?.params;
    try {
      if (f.undecodable !== undefined) throw undecodablePath([f]);
      assertSafeInput(f.params, 'params');
      if (schema !== undefined) parseChecked(schema, f.params, 'params');
      allowed.push(f.method);
    } catch (err) {
      refusal ??= err;
    }
  }
  if (allowed.length === 0) throw refusal;
  const allow = allowHeader(allowed);
  void reply.header('allow', allow);
  throw new TelvaultError(
    'ERR_HTTP_METHOD_NOT_ALLOWED',
    `method: ${request.method} is not allowed on this path, only ${allow}`,
  );
}

export function createApp(deps: CreateAppInput): FastifyInstance {
  const { limits } = deps;
  // Typed as Fastify's logger so the app keeps the default instance type.
  const loggerInstance: FastifyBaseLogger = deps.logger;
  // Every route, those added after this app is made too (server.ts adds /openapi.json).
  const table = createRouteTable();
  const app: FastifyInstance = Fastify({
    loggerInstance,
    bodyLimit: deps.bodyLimit ?? 64 * 1024,
    genReqId: requestId,
    // `__proto__` and `constructor.prototype` are refused by the preValidation hook below, which
    // names the field holding them, before any route sees the body: Fastify's own refusal would
    // answer only "invalid JSON", which is false. JSON.parse makes `__proto__` an own data
    // property, so nothing reaches a prototype meanwhile.
    onProtoPoisoning: 'ignore',
    onConstructorPoisoning: 'ignore',
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
    routerOptions: { maxParamLength: MAX_PATH_SEGMENT },
    // A path that is not percent-encoded UTF-8 (a lone surrogate has no UTF-8 form) or is too
    // long: the same error answers as the rest, naming the param when the path shows which.
    frameworkErrors: (err, request, reply) => {
      // This reply skips the app's onSend hook: give it the same headers.
      setCommonHeaders(request, reply);
      const path = request.url.split('?')[0] ?? '';
      const named = err.code === 'FST_ERR_BAD_URL' ? undecodablePath(table.fits(path)) : err;
      errorHandler(named, request, reply);
    },
  });
  // The API takes JSON only: Fastify's own text/plain parser would hand a route a string, refused
  // as "expected object" instead of by its type. Every other type is 415 ERR_HTTP_MEDIA_TYPE (the
  // provider callbacks under /hooks take their own types in their own scope).
  app.removeContentTypeParser('text/plain');
  guardConnections(app.server, limits.maxConnections, deps.logger);
  // Callback style: an async hook would cost every response a promise and a hop for two headers.
  app.addHook('onSend', (request, reply, payload, done) => {
    setCommonHeaders(request, reply);
    // Refused before its body was read (413, 415): the client reads this answer, not a reset.
    discardRestOfBody(request.raw, DISCARD_BOUND, (overBound) => {
      if (overBound) void reply.header('connection', 'close');
      done(null, payload);
    });
  });
  // Before any route reads the request (authorization looks the tenant up): every string and key
  // of the params, query and body must be text the vault can store, and no key a prototype.
  app.addHook('preValidation', (request, _reply, done) => {
    try {
      assertSafeInput(request.params, 'params');
      assertSafeInput(request.query, 'query');
      assertSafeInput(request.body, 'body');
      done();
    } catch (err) {
      done(err as Error);
    }
  });
  app.setErrorHandler(errorHandler);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) table.add(method, route.url);
  });
  const specs = new Map(deps.routes.map((spec) => [spec.url, spec]));
  app.setNotFoundHandler((request, reply) => noRoute(table, specs, request, reply));
  for (const spec of deps.routes) register(app, deps, spec);
  if (deps.console !== undefined) registerConsoleRoutes(app, deps.console);
  return app;
}
