// Valid request bodies and per-route call recipes, shared by the matrix, leak and fuzz tests.
import { randomBytes } from 'node:crypto';
import type { RouteSpec } from '../../src/http/route-spec.js';
import { normalizePhoneNumber } from '../../src/services/phones/index.js';
import type { TestServer } from '../support/server.js';

const hex = (n: number): string => randomBytes(n).toString('hex').slice(0, n);

export function validCredentials(): Record<string, Record<string, string>> {
  return {
    twilio: {
      accountSid: `AC${hex(32)}`,
      authToken: hex(32),
      apiKeySid: `SK${hex(32)}`,
      apiKeySecret: `ks${hex(30)}`,
      defaultFrom: '+14155550123',
      twimlAppSid: `AP${hex(32)}`,
    },
    sendgrid: { apiKey: `SG.${hex(20)}.${hex(40)}`, fromEmail: 'ops@example.com' },
    retell: { apiKey: `key_${hex(28)}` },
    exotel: { apiKey: hex(24), apiToken: hex(40), sid: 'acme1', subdomain: 'api.in.exotel.com' },
  };
}

/**
 * A random valid Australian mobile number in E.164 (a fresh one per call: phone creates in the
 * matrix must not collide).
 */
export function randomPhoneNumber(): string {
  for (;;) {
    const digits = Array.from(randomBytes(8), (b) => String(b % 10)).join('');
    try {
      return normalizePhoneNumber(`+614${digits}`).e164;
    } catch {
      // not an allocated range: draw again
    }
  }
}

/** The objects a tenant holds in the matrix tests. */
export interface TenantFixture {
  tenantId: string;
  secretName: string;
  tokenId: string;
  /** A phone of the tenant (absent: the token id stands in, as an id that is no phone). */
  phoneId?: string;
  /** That phone's number (the lookup body). */
  phoneNumber?: string;
}

/** Creates a phone with its own Exotel account; returns its id and number. */
export async function seedPhone(
  s: TestServer,
  tenantId: string,
): Promise<{ phoneId: string; phoneNumber: string }> {
  const phoneNumber = randomPhoneNumber();
  const r = await s.request('POST', `/v1/tenants/${tenantId}/phones`, {
    token: s.rootToken,
    body: { ...phoneBody(), number: phoneNumber },
  });
  if (r.status !== 201) throw new Error(`seed phone: ${r.status} ${r.text}`);
  return { phoneId: (r.json as { id: string }).id, phoneNumber };
}

/** A valid phone create body (a fresh number, its own Exotel account). */
export function phoneBody(): Record<string, unknown> {
  return {
    number: randomPhoneNumber(),
    label: 'front desk',
    tags: ['sales'],
    provider: 'exotel',
    exotel: validCredentials()['exotel'],
  };
}

export async function seedTenant(s: TestServer, name: string): Promise<TenantFixture> {
  const tenantId = await s.createTenant(name);
  const root = s.rootToken;
  for (const [provider, body] of Object.entries(validCredentials())) {
    const r = await s.request('PUT', `/v1/tenants/${tenantId}/credentials/${provider}`, {
      token: root,
      body,
    });
    if (r.status !== 200) throw new Error(`seed ${provider}: ${r.status} ${r.text}`);
  }
  const secretName = `${name}-secret`;
  await s.request('PUT', `/v1/tenants/${tenantId}/secrets/${secretName}`, {
    token: root,
    body: { value: `seed-${hex(24)}` },
  });
  const t = await s.request('POST', `/v1/tenants/${tenantId}/tokens`, {
    token: root,
    body: { name: 'fixture', scopes: ['audit:read'] },
  });
  return {
    tenantId,
    secretName,
    tokenId: (t.json as { id: string }).id,
    ...(await seedPhone(s, tenantId)),
  };
}

/** Fills a route's path with a fixture's ids. */
/**
 * The status a permitted call answers in the matrix servers, which run without a sandbox: routes
 * that must reach a provider stop at the typed "not configured" refusal (409), after the access
 * check. Their behaviour with a provider is tested against the sandbox (test/trunks,
 * test/platform).
 */
export function permittedStatus(route: RouteSpec): number {
  switch (route.operationId) {
    case 'setupTrunk':
    case 'createTwilioSubaccount':
      return 409;
    case 'getTrunk':
    case 'repairTrunkNumbers':
    case 'rotateTrunkPassword':
    case 'getTrunkJob':
    case 'attachPhone':
    case 'deleteTrunk':
      return 404;
    case 'purchasePhone':
      // The matrix sends no Idempotency-Key: refused after the access check.
      return 400;
    case 'createCall':
    case 'createMessage':
    case 'createEmail':
      // No sandbox: the provider client cannot be made (nothing is recorded or sent).
      return 409;
    case 'getCall':
    case 'reconcileCall':
    case 'getMessage':
    case 'getEmail':
      return 404;
    default:
      return route.status;
  }
}

export function pathFor(route: RouteSpec, f: TenantFixture): string {
  return route.url
    .replace(':tenantId', f.tenantId)
    .replace(':provider', 'twilio')
    .replace(':name', f.secretName)
    .replace(':tokenId', f.tokenId)
    .replace(':phoneId', f.phoneId ?? f.tokenId);
}

/** A valid body for each route that takes one (`f`: the fixture a lookup looks for). */
export function bodyFor(route: RouteSpec, f?: TenantFixture): unknown {
  const creds = validCredentials();
  switch (route.operationId) {
    case 'createTenant':
      return { name: 'made-by-test' };
    case 'createToken':
      return { name: 'made-by-test', scopes: ['tokens:manage'] };
    case 'putSecret':
      return { value: `v-${hex(20)}` };
    case 'leakCheck':
      return { candidates: [`lc-${hex(20)}`] };
    case 'updateSettings':
      return { defaultCountry: 'AU' };
    case 'createPhone':
      return phoneBody();
    case 'updatePhone':
      return { label: 'changed', tags: ['support'] };
    case 'lookupPhone':
      return { number: f?.phoneNumber ?? randomPhoneNumber() };
    case 'createCall':
      return {
        fromPhoneId: f?.phoneId ?? '00000000-0000-7000-8000-000000000000',
        to: randomPhoneNumber(),
        url: 'https://my.exotel.com/acme/exoml/start_voice/1',
      };
    case 'createMessage':
      return { to: randomPhoneNumber(), body: 'hello' };
    case 'createEmail':
      return { to: ['ana@example.com'], subject: 'hello', text: 'hi' };
    case 'createTwilioAccessToken':
      return { identity: 'agent-1' };
    case 'verifyWebhook':
      return { provider: 'twilio', url: 'https://example.com/hook', params: {}, signature: 'x' };
    case 'putPlatformTwilioCredentials': {
      const { accountSid = '', authToken = '' } = creds['twilio'] ?? {};
      return { accountSid, authToken };
    }
    default: {
      const m = /^put(\w+)Credentials$/.exec(route.operationId);
      return m?.[1] === undefined ? undefined : creds[m[1].toLowerCase()];
    }
  }
}

/** Recreates what a destructive route removes, so the next allowed call finds it again. */
export async function restore(
  s: TestServer,
  route: RouteSpec,
  f: TenantFixture,
): Promise<TenantFixture> {
  const root = s.rootToken;
  switch (route.operationId) {
    case 'deleteSecret':
      await s.request('PUT', `/v1/tenants/${f.tenantId}/secrets/${f.secretName}`, {
        token: root,
        body: { value: 'restored-value' },
      });
      return f;
    case 'deleteCredentials':
      await s.request('PUT', `/v1/tenants/${f.tenantId}/credentials/twilio`, {
        token: root,
        body: validCredentials()['twilio'],
      });
      return f;
    case 'deletePhone':
      return { ...f, ...(await seedPhone(s, f.tenantId)) };
    case 'revokeToken': {
      const t = await s.request('POST', `/v1/tenants/${f.tenantId}/tokens`, {
        token: root,
        body: { name: 'fixture', scopes: ['audit:read'] },
      });
      return { ...f, tokenId: (t.json as { id: string }).id };
    }
    default:
      return f;
  }
}
