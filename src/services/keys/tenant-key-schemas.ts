// The views of a tenant's keys and key rotation (`GET /v1/tenants/:tenantId/keys`, `POST …/rotate`)
// and the rotate request's body. Ids, states and counts only: no key material, wrapped or not.
import { z } from 'zod';

const keyVersionView = z.object({
  version: z.number().int(),
  state: z.enum(['primary', 'decrypt-only', 'retired']),
  rows: z.number().int().describe('Rows sealed (data) or blind-indexed (index) under this version'),
  masterKeyId: z.string().describe('The master key that wraps it (an id, never key material)'),
  masterKeyProvider: z
    .enum(['local', 'pkcs11', 'unknown'])
    .describe('Who holds that master key on this node (unknown: this node was not given it)'),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const rotationView = z
  .object({
    jobId: z.string(),
    kind: z.enum(['data', 'index']),
    state: z.enum(['pending', 'running', 'done', 'failed']),
    done: z.number().int(),
    total: z
      .number()
      .int()
      .describe('Rows to go over (an index rotation counts as it goes: total equals done)'),
    toVersion: z.number().int().nullable(),
    active: z
      .boolean()
      .describe(
        'A process holds its lease now; false: stopped (interrupted or crashed), POST …/keys/rotate resumes it',
      ),
    startedAt: z.string(),
    updatedAt: z.string(),
    error: z.string().nullable(),
  })
  .meta({ id: 'KeyRotation' });

export const tenantKeysView = z
  .object({
    tenantId: z.string(),
    dataKeys: z.array(keyVersionView),
    indexKeys: z.array(keyVersionView),
    rotation: rotationView
      .nullable()
      .describe(
        "The tenant's unfinished key rotation (the oldest, if a data and an index one run)",
      ),
  })
  .meta({ id: 'TenantKeys' });

export type RotationView = z.input<typeof rotationView>;
export type TenantKeysView = z.input<typeof tenantKeysView>;

export const rotateKeysInput = z.strictObject(
  {
    kind: z
      .enum(['data', 'index'], { error: 'must be data or index' })
      .optional()
      .describe(
        'data (default): the data key, re-encrypting every row; index: the blind-index key',
      ),
  },
  { error: 'must be an object with kind' },
);
