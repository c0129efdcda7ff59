// What the call, message and email routes share: a POST that reaches a provider (an optional
// Idempotency-Key; the RateLimit headers of the charge; `Idempotent-Replayed: true` on a stored
// answer) and the two reads of the records (scope activity:read).
import { z } from 'zod';
import {
  activityListQuery,
  type ActivityKind,
  type ActivityService,
} from '../../services/activity/index.js';
import type { SendContext, Sent } from '../../services/activity/index.js';
import type { Scope } from '../../services/tokens/index.js';
import { defineRoute, type RouteContext, type RouteSpec } from '../route-spec.js';
import { tenantParams } from '../schemas.js';

const IDEMPOTENCY_NOTE =
  'An Idempotency-Key header (up to 255 printable characters) makes a retry safe: the same key and body within 24 h answers the first answer (Idempotent-Replayed: true) and sends nothing; another body is 422 ERR_IDEMPOTENCY_KEY_REUSED; a duplicate while the first runs waits for it, or 409 ERR_IDEMPOTENCY_IN_PROGRESS; a retry after the server died mid-call is 409 ERR_IDEMPOTENCY_OUTCOME_UNKNOWN naming the record (never a second call).';

/** The context a sending route passes its service. */
export function sendContext(ctx: RouteContext<unknown, unknown, unknown>): SendContext {
  return {
    actor: ctx.actor,
    idempotencyKey: ctx.idempotencyKey,
    shown: ctx.principal.kind === 'tenant',
  };
}

/** Sets the charge's headers (and the replay marker), and answers the view. */
export function answer<V>(ctx: RouteContext<unknown, unknown, unknown>, sent: Sent<V>): V {
  for (const [name, value] of Object.entries(sent.headers)) void ctx.reply.header(name, value);
  if (sent.replayed) void ctx.reply.header('idempotent-replayed', 'true');
  return sent.view;
}

export interface SendRouteInput<B extends z.ZodType, R extends z.ZodType> {
  operationId: string;
  url: string;
  summary: string;
  description: string;
  tags: string[];
  scope: Scope;
  body: B;
  response: R;
  send: (
    tenantId: z.output<typeof tenantParams>['tenantId'],
    body: z.output<B>,
    ctx: SendContext,
  ) => Promise<Sent<z.input<R>>>;
}

export function sendRoute<B extends z.ZodType, R extends z.ZodType>(
  i: SendRouteInput<B, R>,
): RouteSpec {
  return defineRoute({
    operationId: i.operationId,
    method: 'POST',
    url: i.url,
    summary: i.summary,
    description: `${i.description} ${IDEMPOTENCY_NOTE}`,
    tags: i.tags,
    access: { kind: 'tenant', scope: i.scope, root: true },
    params: tenantParams,
    body: i.body,
    idempotencyKey: 'optional',
    status: 201,
    response: i.response,
    handler: async (ctx) =>
      answer(ctx, await i.send(ctx.params.tenantId, ctx.body, sendContext(ctx))),
  });
}

/** GET …/<plural> (a page) and GET …/<plural>/:id for one kind of record. */
export function readRoutes<P extends z.ZodType, V extends z.ZodType>(
  activity: ActivityService,
  r: { kind: ActivityKind; plural: string; tags: string[]; page: P; view: V; note: string },
): RouteSpec[] {
  const access = { kind: 'tenant', scope: 'activity:read', root: true } as const;
  const base = `/v1/tenants/:tenantId/${r.plural}`;
  const name = r.plural.charAt(0).toUpperCase() + r.plural.slice(1);
  return [
    defineRoute({
      operationId: `list${name}`,
      method: 'GET',
      url: base,
      summary: `The tenant's ${r.plural} in the order they were made (cursor pagination, status filter)`,
      description: r.note,
      tags: r.tags,
      access,
      params: tenantParams,
      query: activityListQuery,
      status: 200,
      response: r.page,
      handler: async ({ params, query, principal }) => {
        const page = await activity.list(
          r.kind,
          params.tenantId,
          query,
          principal.kind === 'tenant',
        );
        return { [r.plural]: page.items, nextCursor: page.nextCursor } as z.input<P>;
      },
    }),
    defineRoute({
      operationId: `get${name.slice(0, -1)}`,
      method: 'GET',
      url: `${base}/:id`,
      summary: `One ${r.kind}`,
      description: r.note,
      tags: r.tags,
      access,
      params: tenantParams.extend({ id: z.string().max(64, 'must be at most 64 characters') }),
      status: 200,
      response: r.view,
      handler: async ({ params, principal }) =>
        (await activity.get(
          r.kind,
          params.tenantId,
          params.id,
          principal.kind === 'tenant',
        )) as z.input<V>,
    }),
  ];
}
