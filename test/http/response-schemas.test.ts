// Response schemas make a secret leak impossible by construction: a secret field's view has no
// member that could hold a value, and unknown fields are stripped. The OpenAPI document generated
// from the same schemas compiles and says the same.
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { buildOpenApi } from '../../src/http/openapi.js';
import type { RouteSpec } from '../../src/http/route-spec.js';
import { auditRoutes } from '../../src/http/routes/audit-routes.js';
import { credentialRoutes } from '../../src/http/routes/credential-routes.js';
import { healthRoutes } from '../../src/http/routes/health-routes.js';
import { secretRoutes } from '../../src/http/routes/secret-routes.js';
import { tenantRoutes } from '../../src/http/routes/tenant-routes.js';
import { tokenRoutes } from '../../src/http/routes/token-routes.js';
import {
  credentialView,
  PROVIDER_SPECS,
  PROVIDERS,
} from '../../src/services/credentials/providers.js';
import { secretView } from '../../src/services/secrets/secret-service.js';

const never = {} as never;
const routes: RouteSpec[] = [
  ...healthRoutes(() => Promise.resolve(true)),
  ...tenantRoutes(never),
  ...tokenRoutes(never),
  ...credentialRoutes(never),
  ...secretRoutes(never),
  ...auditRoutes(never),
];

describe('response schemas', () => {
  it('refuse a value in any secret field of any provider view, and strip unknown fields', () => {
    for (const provider of PROVIDERS) {
      const spec = PROVIDER_SPECS[provider];
      for (const field of spec.secretFields) {
        const shaped = spec.view.safeParse({
          provider,
          [field]: 'the-secret-value',
          updatedAt: 'x',
        });
        expect(shaped.success, `${provider}.${field}`).toBe(false);
        const withValue = spec.view.safeParse({
          provider,
          [field]: { set: true, value: 'the-secret-value' },
        });
        if (withValue.success)
          expect(JSON.stringify(withValue.data)).not.toContain('the-secret-value');
        const longHint = spec.view.safeParse({
          provider,
          [field]: { set: true, last4: 'the-secret-value' },
        });
        expect(longHint.success).toBe(false);
      }
    }
    const cred = credentialView.parse({
      provider: 'retell',
      apiKey: { set: true, last4: 'abcd', value: 'the-secret-value' },
      rawKey: 'the-secret-value',
      updatedAt: 'x',
    });
    expect(JSON.stringify(cred)).not.toContain('the-secret-value');
    expect(
      secretView.safeParse({ name: 'n', value: 'the-secret-value', createdAt: 'x', updatedAt: 'x' })
        .success,
    ).toBe(false);
  });

  it('generate an OpenAPI document whose schemas compile and whose secret fields hold no value', () => {
    const doc = buildOpenApi(routes, { version: 'test' }) as {
      paths: Record<
        string,
        Record<
          string,
          { responses: Record<string, { content?: { 'application/json': { schema: unknown } } }> }
        >
      >;
      components: { schemas: Record<string, unknown> };
    };
    const ajv = new Ajv2020({ strict: false });
    for (const [name, schema] of Object.entries(doc.components.schemas))
      ajv.addSchema(schema as object, `#/components/schemas/${name}`);
    const secretNames = new Set(['authToken', 'apiKeySecret', 'apiKey', 'apiToken']);
    let checked = 0;
    const walk = (node: unknown, path: string): void => {
      if (typeof node !== 'object' || node === null) return;
      const props = (
        node as {
          properties?: Record<string, { type?: unknown; properties?: Record<string, unknown> }>;
        }
      ).properties;
      for (const [k, v] of Object.entries(props ?? {})) {
        if (secretNames.has(k)) {
          checked += 1;
          expect(v.type, `${path}.${k}`).toBe('object');
          expect(Object.keys(v.properties ?? {}).sort(), `${path}.${k}`).toEqual(['last4', 'set']);
        }
      }
      for (const [k, v] of Object.entries(node)) walk(v, `${path}/${k}`);
    };
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        for (const [status, r] of Object.entries(op.responses)) {
          const schema = r.content?.['application/json'].schema;
          if (schema === undefined) continue;
          expect(() => ajv.compile(schema as object), `${method} ${path} ${status}`).not.toThrow();
          walk(schema, `${method} ${path} ${status}`);
        }
      }
    }
    expect(checked).toBeGreaterThanOrEqual(12);
  });
});
