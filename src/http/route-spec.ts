// A route is data: method, path, who may call it, the schemas that validate its input and shape
// its output, and a handler. The app registers routes from these specs, the OpenAPI document is
// generated from them, and the tests derive their scope and cross-tenant matrices from them.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { Actor } from '../services/audit/index.js';
import type { Scope } from '../services/tokens/index.js';
import type { Principal } from '../services/tokens/index.js';

export type HttpMethod = 'GET' | 'PUT' | 'PATCH' | 'POST' | 'DELETE';

export type RouteAccess =
  | { kind: 'public' }
  /** Operator only (root token). */
  | { kind: 'root' }
  /**
   * Any valid token, root or tenant, whatever its scopes (`GET /v1/token`: who am I). Only for
   * routes without `:tenantId` in the path: what such a route answers is the caller's own.
   */
  | { kind: 'authenticated' }
  /**
   * A tenant route (`:tenantId` in the path): a tenant token of that tenant with `scope`, or the
   * root token when `root` is true. A token of another tenant gets 404. `also`: a second scope
   * the token needs beside `scope` (a purchase spends money: trunks:manage and phones:write).
   */
  | { kind: 'tenant'; scope: Scope; root: boolean; also?: Scope };

export interface RouteContext<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  /** undefined only on public routes. */
  principal: Principal;
  actor: Actor;
  /** The Idempotency-Key header, checked, on a route that takes one (else undefined). */
  idempotencyKey: string | undefined;
  request: FastifyRequest;
  reply: FastifyReply;
}

export interface RouteSpec<
  P extends z.ZodType = z.ZodType,
  Q extends z.ZodType = z.ZodType,
  B extends z.ZodType = z.ZodType,
  R extends z.ZodType = z.ZodType,
> {
  operationId: string;
  method: HttpMethod;
  /** Fastify path syntax (`/v1/tenants/:tenantId`). */
  url: string;
  summary: string;
  description?: string;
  tags: string[];
  access: RouteAccess;
  params?: P;
  query?: Q;
  body?: B;
  /**
   * The route takes an `Idempotency-Key` header (`required`: refused without one). The app reads
   * and checks it into the context, once the body is valid; the OpenAPI document declares it.
   */
  idempotencyKey?: 'optional' | 'required';
  /** Status of success, and the schema every successful response is parsed through (none: 204). */
  status: number;
  response?: R;
  /**
   * Another success status some answers take (a job answered 200 when done, 202 while it runs):
   * `statusFor` picks per answer; both statuses are documented with the one response schema.
   */
  alternate?: { status: number; statusFor: (result: z.input<R>) => number };
  handler: (
    ctx: RouteContext<z.output<P>, z.output<Q>, z.output<B>>,
  ) => Promise<z.input<R> | undefined>;
}

/** Identity helper that keeps the schema types flowing into the handler. */
export function defineRoute<
  P extends z.ZodType,
  Q extends z.ZodType,
  B extends z.ZodType,
  R extends z.ZodType,
>(spec: RouteSpec<P, Q, B, R>): RouteSpec {
  return spec;
}
