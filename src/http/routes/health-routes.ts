// Liveness (the process answers) and readiness (the database answers).
import { z } from 'zod';
import { TelvaultError } from '../../errors.js';
import { defineRoute, type RouteSpec } from '../route-spec.js';

export function healthRoutes(ready: () => Promise<boolean>): RouteSpec[] {
  const tags = ['health'];
  return [
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
      response: z.object({ status: z.literal('ready') }),
      handler: async () => {
        if (!(await ready().catch(() => false)))
          throw new TelvaultError('ERR_UNAVAILABLE', 'not ready');
        return { status: 'ready' as const };
      },
    }),
  ];
}
