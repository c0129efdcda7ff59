// Admin routes for fault rules, barriers and the exchange log.
//   POST   /__sandbox/faults            { method?, route? | path?, nth?, times?, shouldRetry?, action }
//   GET    /__sandbox/faults            DELETE /__sandbox/faults[/:id]
//   POST   /__sandbox/barriers          { method?, route? | path?, parties?, timeoutMs? }
//   GET    /__sandbox/barriers[/:id]    POST /__sandbox/barriers/:id/release
//   DELETE /__sandbox/barriers[/:id]    (deleting releases whoever is held)
//   GET    /__sandbox/exchanges         (request bodies omitted: they carry secrets), filtered by
//                                       ?provider=&method=&route= (route: the pattern as in
//                                       /__sandbox/counters), answers { count, exchanges }
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { BarrierInput } from '../core/barriers.js';
import { REDIRECT_STATUSES, type FaultRuleInput } from '../core/faults.js';
import { definedOnly, parseAdminInput } from '../core/admin-input.js';
import { SandboxAdminError } from '../core/provider-store.js';
import { selectorError } from '../core/route-match.js';
import type { SandboxContext } from '../sandbox-context.js';

const selector = {
  method: z.string().min(1).optional(),
  route: z.string().min(1).optional(),
  path: z.string().min(1).optional(),
};

const faultSchema = z.object({
  ...selector,
  nth: z.number().int().min(1).optional(),
  times: z.number().int().min(0).optional(),
  shouldRetry: z.boolean().optional(),
  action: z.discriminatedUnion('kind', [
    z.object({
      kind: z.literal('error'),
      status: z.number().int().min(400).max(599),
      code: z.union([z.string(), z.number()]).optional(),
      message: z.string().optional(),
    }),
    z.object({ kind: z.literal('latency'), ms: z.number().int().min(0).max(60_000) }),
    z.object({ kind: z.literal('drop') }),
    z.object({ kind: z.literal('drop-after-commit') }),
    z.object({
      kind: z.literal('redirect'),
      status: z.union(REDIRECT_STATUSES.map((s) => z.literal(s))),
      location: z.string().min(1),
    }),
  ]),
});

const barrierSchema = z.object({
  ...selector,
  parties: z.number().int().min(0).optional(),
  timeoutMs: z.number().int().min(1).max(600_000).optional(),
});

function parse<T extends { route?: string | undefined; path?: string | undefined }>(
  schema: z.ZodType<T>,
  body: unknown,
): T {
  const input = parseAdminInput(schema, body);
  const problem = selectorError(input);
  if (problem !== undefined) throw new SandboxAdminError(400, problem);
  return definedOnly(input);
}

export function registerFaultRoutes(app: FastifyInstance, context: SandboxContext): void {
  const { faults, barriers } = context;
  type IdParams = { Params: { id: string } };

  app.post('/faults', (request, reply) => {
    const input = parse(faultSchema, request.body);
    const rule = faults.add(input as FaultRuleInput);
    return reply.code(201).send(rule);
  });
  app.get('/faults', () => ({ faults: faults.rules }));
  app.delete('/faults', (_request, reply) => {
    faults.clear();
    return reply.code(204).send();
  });
  app.delete<IdParams>('/faults/:id', (request, reply) => {
    if (!faults.remove(request.params.id)) throw new SandboxAdminError(404, 'no such fault');
    return reply.code(204).send();
  });

  app.post('/barriers', (request, reply) => {
    const input = parse(barrierSchema, request.body);
    return reply.code(201).send(barriers.add(input as BarrierInput));
  });
  app.get('/barriers', () => ({ barriers: barriers.list() }));
  app.get<IdParams>('/barriers/:id', (request) => {
    const barrier = barriers.get(request.params.id);
    if (barrier === undefined) throw new SandboxAdminError(404, 'no such barrier');
    return barrier;
  });
  app.post<IdParams>('/barriers/:id/release', (request) => {
    if (!barriers.release(request.params.id)) throw new SandboxAdminError(404, 'no such barrier');
    return barriers.get(request.params.id);
  });
  app.delete('/barriers', (_request, reply) => {
    barriers.clear();
    return reply.code(204).send();
  });
  app.delete<IdParams>('/barriers/:id', (request, reply) => {
    if (!barriers.remove(request.params.id)) throw new SandboxAdminError(404, 'no such barrier');
    return reply.code(204).send();
  });

  app.get<{ Querystring: Record<string, string | undefined> }>('/exchanges', (request) => {
    const { provider, method, route } = request.query;
    const exchanges = context.exchanges.entries
      .filter(
        (e) =>
          (provider === undefined || e.provider === provider) &&
          (method === undefined || e.method === method.toUpperCase()) &&
          (route === undefined || e.route === route),
      )
      .map(({ requestBody: _omitted, ...rest }) => rest);
    return { count: exchanges.length, exchanges };
  });
}
