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
import { platformCredentialRoutes } from '../../src/http/routes/platform-credential-routes.js';
import { secretRoutes } from '../../src/http/routes/secret-routes.js';
import { subaccountRoutes } from '../../src/http/routes/subaccount-routes.js';
import { tenantRoutes } from '../../src/http/routes/tenant-routes.js';
import { tokenRoutes } from '../../src/http/routes/token-routes.js';
import { keyRoutes } from '../../src/http/routes/key-routes.js';
import { whoamiRoutes } from '../../src/http/routes/whoami-routes.js';
import { tenantKeysView } from '../../src/services/keys/index.js';
import { tokenIdentityView } from '../../src/services/tokens/index.js';
import {
  credentialView,
  PROVIDER_SPECS,
  PROVIDERS,
} from '../../src/services/credentials/providers.js';
import { PLATFORM_SPECS } from '../../src/services/credentials/platform-specs.js';
import { secretView } from '../../src/services/secrets/secret-service.js';
import { subaccountView } from '../../src/services/subaccounts/subaccount-schemas.js';

const never = {} as never;
const routes: RouteSpec[] = [
  ...healthRoutes(() => Promise.resolve(true)),
  ...tenantRoutes(never),
  ...tokenRoutes(never),
  ...credentialRoutes(never),
  ...secretRoutes(never),
  ...auditRoutes(never),
  ...platformCredentialRoutes(never),
  ...subaccountRoutes(never),
  ...whoamiRoutes(never),
  ...keyRoutes(never, never),
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
    // The platform's Twilio view: the same write-only shape.
    for (const field of PLATFORM_SPECS.twilio.secretFields) {
      const view = PLATFORM_SPECS.twilio.view;
      expect(view.safeParse({ provider: 'twilio', [field]: 'the-secret-value' }).success).toBe(
        false,
      );
      const hinted = view.safeParse({
        provider: 'twilio',
        accountSid: 'AC',
        [field]: { set: true, value: 'the-secret-value' },
        updatedAt: 'x',
      });
      expect(hinted.success).toBe(true);
      expect(JSON.stringify(hinted.data)).not.toContain('the-secret-value');
    }
    // The sub-account answer strips a token handed to it.
    const sub = subaccountView.parse({
      accountSid: 'AC',
      friendlyName: 'telvault t',
      created: true,
      authToken: 'the-secret-value',
    });
    expect(JSON.stringify(sub)).not.toContain('the-secret-value');
    const cred = credentialView.parse({
      provider: 'retell',
      apiKey: { set: true, last4: 'abcd', value: 'the-secret-value' },
      rawKey: 'the-secret-value',
      updatedAt: 'x',
    });
    expect(JSON.stringify(cred)).not.toContain('the-secret-value');
    // Who a token is: a token or hash handed to the view is stripped.
    const who = tokenIdentityView.parse({
      kind: 'tenant',
      tenantId: 't',
      tenantName: 'n',
      tenantExternalId: null,
      tokenId: 'i',
      tokenName: 'n',
      scopes: ['keys:read'],
      expiresAt: null,
      token: 'the-secret-value',
      tokenHash: 'the-secret-value',
    });
    expect(JSON.stringify(who)).not.toContain('the-secret-value');
    expect(
      JSON.stringify(tokenIdentityView.parse({ kind: 'root', token: 'the-secret-value' })),
    ).toBe('{"kind":"root"}');
    // A tenant's keys: a wrapped key (or any key field) handed to the view is stripped.
    const key = {
      version: 1,
      state: 'primary',
      rows: 0,
      masterKeyId: 'mk_0',
      masterKeyProvider: 'local',
      createdAt: 'x',
      updatedAt: 'x',
      wrapped: 'the-secret-value',
      material: 'the-secret-value',
    };
    const keys = tenantKeysView.parse({
      tenantId: 't',
      dataKeys: [key],
      indexKeys: [key],
      rotation: null,
    });
    expect(JSON.stringify(keys)).not.toContain('the-secret-value');
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
    // The tenant views' 12, and the platform view's two (put and get).
    expect(checked).toBeGreaterThanOrEqual(16);
  });
});
