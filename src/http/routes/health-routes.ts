// Liveness (the process answers) and readiness (the database answers). A node that serves some
// tenants but not all (a broken tenant key) stays ready, so a load balancer does not drain every
// node at once, and says `degraded: true` without naming any tenant; its log names them. And the
// index at `/`: where things are, or a browser sent on to the console.
import { z } from 'zod';
import { TelvaultError } from '../../errors.js';
import { TELVAULT_VERSION } from '../../version.js';
import { defineRoute, type RouteSpec } from '../route-spec.js';

export function healthRoutes(
  ready: () => Promise<boolean>,
  degraded: () => Promise<boolean> = () => Promise.resolve(false),
): RouteSpec[] {
  const tags = ['health'];
  return [
    defineRoute({
      operationId: 'index',
      method: 'GET',
      url: '/',
      summary: 'Where things are: the console, the OpenAPI document, health',
      description:
        'A browser (Accept: text/html) is redirected (302) to /console; any other client gets this index.',
      tags,
      access: { kind: 'public' },
      status: 200,
      response: z.object({
        name: z.literal('telvault'),
        version: z.string(),
        console: z.string(),
        openapi: z.string(),
        health: z.string(),
        ready: z.string(),
      }),
      handler: ({ request, reply }) => {
        if ((request.headers.accept ?? '').includes('text/html')) {
          void reply.redirect('/console', 302);
        }
        return Promise.resolve({
          name: 'telvault' as const,
          version: TELVAULT_VERSION,
          console: '/console',
          openapi: '/openapi.json',
          health: '/healthz',
          ready: '/readyz',
        });
      },
    }),
    defineRoute({
      operationId: 'healthz',
      method: 'GET',
      url: '/healthz',
      summary: 'Liveness',
      tags,
      access: { kind: 'public' },
      status: 200,
      response: z.object({ status: z.literal('ok') }),
      handler: () => Promise.resolve({ status: 'ok' as const }),
    }),
    defineRoute({
      operationId: 'readyz',
      method: 'GET',
      url: '/readyz',
      summary: 'Readiness: the database answers',
      tags,
      access: { kind: 'public' },
      status: 200,
      response: z.object({ status: z.literal('ready'), degraded: z.literal(true).optional() }),
      handler: async () => {
        if (!(await ready().catch(() => false)))
          throw new TelvaultError('ERR_UNAVAILABLE', 'not ready');
        return (await degraded().catch(() => false))
          ? { status: 'ready' as const, degraded: true as const }
          : { status: 'ready' as const };
      },
    }),
  ];
}
