// /v1/tenants/:tenantId/keys: a tenant's key versions, states, rows per version and its running
// rotation (root, or keys:read), and starting a rotation (root), once per Idempotency-Key. Never
// key material.
import type { TenantId } from '../../crypto/index.js';
import { runIdempotent, type IdempotencyService } from '../../services/idempotency/index.js';
import {
  rotateKeysInput,
  rotationView,
  tenantKeysView,
  type RotationKind,
  type RotationView,
  type TenantKeyRotations,
} from '../../services/keys/index.js';
import type { Actor } from '../../services/audit/index.js';
import { defineRoute, type RouteSpec } from '../route-spec.js';
import { tenantParams } from '../schemas.js';

const ROTATE_URL = '/v1/tenants/:tenantId/keys/rotate';

export function keyRoutes(
  rotations: TenantKeyRotations,
  idempotency: IdempotencyService,
): RouteSpec[] {
  const tags = ['keys'];

  /**
   * A rotation once per key: the first request starts (or joins) one and its job is stored; the
   * same key again answers that job as it is now, running or finished, and starts nothing.
   */
  async function rotateOnce(
    tenantId: TenantId,
    kind: RotationKind,
    actor: Actor,
    key: string,
  ): Promise<{ view: RotationView; replayed: boolean }> {
    const answer = await runIdempotent(
      idempotency,
      { tenantId, key, method: 'POST', route: ROTATE_URL, body: { kind }, mode: 'once', actor },
      async () => {
        const view = await rotations.rotate(tenantId, kind, actor);
        return { status: 202, body: view, resourceId: view.jobId };
      },
    );
    const stored = answer.body as RotationView;
    if (!answer.replayed) return { view: stored, replayed: false };
    return { view: (await rotations.rotation(tenantId, stored.jobId)) ?? stored, replayed: true };
  }

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
      url: ROTATE_URL,
      summary: "Start (or resume) a rotation of the tenant's data key or blind-index key",
      description:
        'The online, resumable rotation `telvault keys rotate-tenant <id> [--index]` runs, run in the background of this server: kind data (default) promotes a new data-key version and re-encrypts every row of the tenant under it; kind index promotes a new blind-index key and recomputes every blind index. The tenant is served throughout. Answers 202 with the rotation; GET …/keys shows its progress (and GET …/jobs/:jobId its job). A request while a rotation of that kind is unfinished answers it (resumed here when no process holds it: after a crash, once its lease has expired) and starts no second one; while one of the other kind is unfinished, 409 ERR_KEYS_ROTATION_RUNNING. Once a rotation has finished, a request without an Idempotency-Key starts a new one: send an Idempotency-Key (up to 255 printable characters) to retry safely. The same key with the same kind within 24 h answers the same rotation as it is now, running or finished (Idempotent-Replayed: true), and starts nothing; the same key with the other kind is 422 ERR_IDEMPOTENCY_KEY_REUSED. A new rotation is a new key. Audited at start and end (keys.rotate-tenant[-index]).',
      tags,
      access: { kind: 'root' },
      params: tenantParams,
      body: rotateKeysInput.optional(),
      idempotencyKey: 'optional',
      status: 202,
      response: rotationView,
      handler: async ({ params, body, actor, idempotencyKey, reply }) => {
        const kind = body?.kind ?? 'data';
        if (idempotencyKey === undefined) return rotations.rotate(params.tenantId, kind, actor);
        const r = await rotateOnce(params.tenantId, kind, actor, idempotencyKey);
        if (r.replayed) void reply.header('idempotent-replayed', 'true');
        return r.view;
      },
    }),
  ];
}
