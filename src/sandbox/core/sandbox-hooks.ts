// The one set of hooks that applies to every provider route: counters, the exchange log, fault
// injection and barriers. Installed on the root instance before the emulators are registered, so
// it runs for every route of every provider (and for their 404s).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SandboxContext } from '../sandbox-context.js';
import type { FaultRule } from './faults.js';
import type { SandboxProviderName } from './provider-store.js';
import { pathOf, type RequestFacts } from './route-match.js';

export const ADMIN_PREFIX = '/__sandbox';

const PREFIXES: readonly (readonly [string, SandboxProviderName])[] = [
  ['/twilio-api/', 'twilio'],
  ['/twilio-trunking/', 'twilio'],
  ['/retell/', 'retell'],
  ['/exotel/', 'exotel'],
  ['/sendgrid/', 'sendgrid'],
];

export function providerOfPath(path: string): SandboxProviderName | undefined {
  return PREFIXES.find(([prefix]) => path.startsWith(prefix))?.[1];
}

interface RequestState {
  facts: RequestFacts;
  provider: SandboxProviderName | undefined;
  dropAfterCommit: boolean;
  dropped: boolean;
  shouldRetry: boolean | undefined;
  responseBody: string | undefined;
}

const states = new WeakMap<FastifyRequest, RequestState>();

function factsOf(request: FastifyRequest): RequestFacts {
  return {
    method: request.method.toUpperCase(),
    route: request.routeOptions.url,
    path: pathOf(request.url),
  };
}

function counterKey(facts: RequestFacts): string {
  return `${facts.method} ${facts.route ?? '<unmatched>'}`;
}

function sendFault(
  context: SandboxContext,
  state: RequestState,
  rule: FaultRule & { action: { kind: 'error' } },
  request: FastifyRequest,
  reply: FastifyReply,
): FastifyReply {
  const { status, code } = rule.action;
  const message = rule.action.message ?? 'Injected fault';
  const formatter =
    state.provider === undefined ? undefined : context.errorFormatters[state.provider];
  const body = formatter?.(status, code, message, request) ?? { status, code, message };
  if (typeof body === 'string') {
    reply.type(body.startsWith('<') ? 'application/xml' : 'text/plain');
  }
  return reply.code(status).send(body);
}

function destroySocket(request: FastifyRequest): void {
  request.raw.socket.destroy();
}

export function installSandboxHooks(app: FastifyInstance, context: SandboxContext): void {
  app.addHook('onRoute', (route) => {
    if (providerOfPath(route.url) === undefined) return;
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods)
      if (method !== 'HEAD') context.routes.add(`${method} ${route.url}`);
  });
  app.addHook('onRequest', (request, _reply, done) => {
    const path = pathOf(request.url);
    if (path === ADMIN_PREFIX || path.startsWith(`${ADMIN_PREFIX}/`)) return done();
    const facts = factsOf(request);
    const state: RequestState = {
      facts,
      provider: providerOfPath(path),
      dropAfterCommit: false,
      dropped: false,
      shouldRetry: undefined,
      responseBody: undefined,
    };
    states.set(request, state);
    const key = counterKey(facts);
    context.counters.set(key, (context.counters.get(key) ?? 0) + 1);
    done();
  });
  // Barriers and faults act once the body is read (a request whose body fails the route's schema
  // never reaches them): a write held here, or slowed down, is still applied after its client has
  // gone, as a provider applies a request whose answer is lost.
  app.addHook('preHandler', async (request, reply) => {
    const state = states.get(request);
    if (state === undefined) return undefined;
    const { facts } = state;
    await context.barriers.pass(facts);
    for (const rule of context.faults.take(facts)) {
      if (rule.shouldRetry !== undefined) state.shouldRetry = rule.shouldRetry;
      const action = rule.action;
      if (action.kind === 'latency') {
        await new Promise((resolve) => setTimeout(resolve, action.ms));
      } else if (action.kind === 'drop-after-commit') {
        state.dropAfterCommit = true;
      } else if (action.kind === 'redirect') {
        if (state.shouldRetry !== undefined)
          reply.header('x-should-retry', String(state.shouldRetry));
        return reply.code(action.status).header('location', action.location).send();
      } else if (action.kind === 'drop') {
        state.dropped = true;
        reply.hijack();
        destroySocket(request);
        record(context, request, undefined);
        return undefined;
      } else {
        if (state.shouldRetry !== undefined)
          reply.header('x-should-retry', String(state.shouldRetry));
        return sendFault(context, state, { ...rule, action }, request, reply);
      }
    }
    if (state.shouldRetry !== undefined) reply.header('x-should-retry', String(state.shouldRetry));
    return undefined;
  });

  app.addHook('onSend', (request, _reply, payload, done) => {
    const state = states.get(request);
    if (state === undefined) return done(null, payload);
    state.responseBody = typeof payload === 'string' ? payload : undefined;
    if (Buffer.isBuffer(payload)) state.responseBody = payload.toString('utf8');
    if (state.dropAfterCommit) {
      // The handler already ran and committed; the client sees a reset instead of the answer.
      // Fastify fires neither onResponse nor onRequestAbort then: record it here.
      state.dropped = true;
      destroySocket(request);
      record(context, request, undefined);
    }
    done(null, payload);
  });

  app.addHook('onResponse', (request, reply, done) => {
    record(context, request, reply);
    done();
  });
  app.addHook('onRequestAbort', (request, done) => {
    record(context, request, undefined);
    done();
  });
}

function record(
  context: SandboxContext,
  request: FastifyRequest,
  reply: FastifyReply | undefined,
): void {
  const state = states.get(request);
  if (state === undefined) return;
  states.delete(request);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(reply?.getHeaders() ?? {})) {
    if (value !== undefined) headers[name] = String(value);
  }
  context.exchanges.record({
    provider: state.provider,
    method: state.facts.method,
    url: request.url,
    route: state.facts.route,
    requestBody:
      request.body instanceof URLSearchParams ? formToObject(request.body) : request.body,
    status: state.dropped || reply === undefined ? 0 : reply.statusCode,
    // Kept for a drop after commit too (the client never saw it, but scans should).
    responseBody: state.responseBody,
    responseHeaders: headers,
    dropped: state.dropped || reply === undefined,
  });
}

/** Form bodies (Twilio, Exotel) as `{ key: [values…] }`, so the log keeps repeated keys. */
function formToObject(form: URLSearchParams): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [key, value] of form) (out[key] ??= []).push(value);
  return out;
}
