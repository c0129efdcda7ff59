// /v1/tenants/:tenantId/keys: a tenant's key versions, states, rows per version and its running
// rotation (root, or keys:read), and starting a rotation (root). Never key material.
import {
  rotateKeysInput,
  rotationView,
  tenantKeysView,
  type TenantKeyRotations,
} from '../../services/keys/index.js';
import { defineRoute, type RouteSpec } from '../route-spec.js';
import { tenantParams } from '../schemas.js';

export function keyRoutes(rotations: TenantKeyRotations): RouteSpec[] {
  const tags = ['keys'];
  return [
    defineRoute({
      operationId: 'getTenantKeys',
      method: 'GET',
      url: '/v1/tenants/:tenantId/keys',
      summary: "A tenant's key versions, states, rows per version, and its unfinished rotation",
      description:
        "What `telvault keys status` shows for one tenant: every data-key and blind-index-key version (primary, decrypt-only or retired), the master key that wraps it (its id and, on this node, who holds it) and the rows sealed or indexed under it; rotation is the unfinished key rotation with its progress (done of total rows), or null. Poll it for a rotation's live progress. Ids, states and counts only: no key material, wrapped or not.",
      tags,
      access: { kind: 'tenant', scope: 'keys:read', root: true },
      params: tenantParams,
      status: 200,
      response: tenantKeysView,
      handler: ({ params }) => rotations.status(params.tenantId),
    }),
    defineRoute({
      operationId: 'rotateTenantKey',
      method: 'POST',
      url: '/v1/tenants/:tenantId/keys/rotate',
      summary: "Start (or resume) a rotation of the tenant's data key or blind-index key",
      description:
        'The online, resumable rotation `telvault keys rotate-tenant <id> [--index]` runs, run in the background of this server: kind data (default) promotes a new data-key version and re-encrypts every row of the tenant under it; kind index promotes a new blind-index key and recomputes every blind index. The tenant is served throughout. Answers 202 with the rotation; GET …/keys shows its progress (and GET …/jobs/:jobId its job). A request while a rotation of that kind is unfinished answers it (resumed here when no process holds it: after a crash, once its lease has expired) and starts no second one; while one of the other kind is unfinished, 409 ERR_KEYS_ROTATION_RUNNING. Audited at start and end (keys.rotate-tenant[-index]).',
      tags,
      access: { kind: 'root' },
      params: tenantParams,
      body: rotateKeysInput.optional(),
      status: 202,
      response: rotationView,
      handler: ({ params, body, actor }) =>
        rotations.rotate(params.tenantId, body?.kind ?? 'data', actor),
    }),
  ];
}
