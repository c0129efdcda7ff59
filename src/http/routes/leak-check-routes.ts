// POST /v1/leak-check: the operator asks whether values found elsewhere are stored credentials
// (`telvault scan --check-vault`). Root only; the body is never logged (the app logs no bodies).
import {
  leakCheckInput,
  leakCheckView,
  LEAK_CHECK_MAX_CANDIDATES,
  type LeakCheckService,
} from '../../services/leak-check/index.js';
import { defineRoute, type RouteSpec } from '../route-spec.js';

export function leakCheckRoutes(leakCheck: LeakCheckService): RouteSpec[] {
  return [
    defineRoute({
      operationId: 'leakCheck',
      method: 'POST',
      url: '/v1/leak-check',
      summary: 'Which of these values are credentials telvault stores (matches only)',
      description: `At most ${LEAK_CHECK_MAX_CANDIDATES} candidates a request (and the 64 KiB body limit); values shorter than 16 characters are never looked up. Each match names the candidate's index, the tenant, the provider and the field: rotate that credential.`,
      tags: ['leak-check'],
      access: { kind: 'root' },
      body: leakCheckInput,
      status: 200,
      response: leakCheckView,
      handler: ({ body, actor }) => leakCheck.check(body.candidates, actor),
    }),
  ];
}
