// Contract conformance: every response the Retell emulator served in a full flow (success and
// error statuses) validates against the response schema of Retell's official OpenAPI document.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSandbox, type TestSandbox } from '../../support/sandbox.js';
import { loadOpenApiResponses, type OpenApiResponses } from './openapi-schemas.js';
import { retellRaw } from './retell-raw.js';

const SPEC = fileURLToPath(
  new URL('../../../../shared/specs/retell/openapi.yaml', import.meta.url),
);
const hasSpec = existsSync(SPEC);
if (!hasSpec) console.warn(`skipping the Retell contract test: ${SPEC} is absent`);

const KEY = 'key_contract_test';
const N1 = '+14155550100';
const N2 = '+14155550101';

describe.skipIf(!hasSpec)('Retell emulator responses match the official OpenAPI', () => {
  let sandbox: TestSandbox;
  let url: string;
  let spec: OpenApiResponses;

  const call = async (method: string, path: string, body?: unknown, key = KEY) =>
    (await retellRaw(url, key, method, path, body)).status;

  beforeAll(async () => {
    spec = loadOpenApiResponses(readFileSync(SPEC, 'utf8'));
    sandbox = await startTestSandbox({ retell: { apiKeys: [KEY] } });
    url = sandbox.url;
    const sip = { sip_trunk_auth_username: 'u1', sip_trunk_auth_password: 'Passw0rdPassw0rd' };
    const statuses = [
      await call('POST', '/import-phone-number', {
        phone_number: N1,
        termination_uri: 'a.pstn.twilio.com',
        ...sip,
        nickname: 'one',
        inbound_agents: [
          { agent_id: 'agent_a', weight: 0.5, agent_version: 2 },
          { agent_id: 'agent_b', weight: 0.5 },
        ],
        outbound_agent_id: 'agent_c',
        allowed_outbound_country_list: ['US'],
      }),
      await call('POST', '/import-phone-number', {
        phone_number: N2,
        termination_uri: 'b.pstn.twilio.com',
      }),
      await call('POST', '/import-phone-number', {
        phone_number: N2,
        termination_uri: 'b.pstn.twilio.com',
      }),
      await call('POST', '/import-phone-number', { termination_uri: 'missing-number' }),
      await call('POST', '/import-phone-number', { phone_number: N1, termination_uri: 'x' }, 'bad'),
      await call('PATCH', `/update-phone-number/${N2}`, {
        auth_username: 'u2',
        auth_password: 'Passw0rdPassw0rd',
        termination_uri: 'c.pstn.twilio.com',
        nickname: null,
      }),
      await call('PATCH', '/update-phone-number/%2B19999999999', { nickname: 'x' }),
      await call('PATCH', `/update-phone-number/${N2}`, { transport: 'SMOKE' }),
      await call('GET', `/get-phone-number/${N1}`),
      await call('GET', '/get-phone-number/%2B14155550101'),
      await call('GET', '/get-phone-number/+19999999999'),
      await call('GET', '/list-phone-numbers'),
      await call('GET', '/list-phone-numbers', undefined, 'bad'),
      await call('GET', '/v2/list-phone-numbers?limit=1&sort_order=ascending'),
      await call('GET', `/v2/list-phone-numbers?limit=1&pagination_key=${encodeURIComponent(N2)}`),
      await call('DELETE', `/delete-phone-number/${N2}`),
      await call('DELETE', `/delete-phone-number/${N2}`),
    ];
    expect(statuses).toEqual([
      201, 201, 400, 400, 401, 200, 422, 400, 200, 200, 422, 200, 401, 200, 200, 204, 422,
    ]);
  });

  afterAll(async () => {
    await sandbox?.close();
  });

  it('validates every recorded exchange against its operation and status', () => {
    const exchanges = sandbox.context.exchanges.entries.filter((e) => e.provider === 'retell');
    expect(exchanges.length).toBe(17);
    for (const exchange of exchanges) {
      const path = (exchange.route ?? '').replace(/^\/retell/, '').replace(/:(\w+)/g, '{$1}');
      const where = `${exchange.method} ${path} → ${exchange.status}`;
      expect(spec.describes(exchange.method, path, exchange.status), where).toBe(true);
      const validate = spec.validator(exchange.method, path, exchange.status);
      if (validate === undefined) {
        expect(exchange.responseBody ?? '', where).toBe('');
        continue;
      }
      const ok = validate(JSON.parse(exchange.responseBody ?? 'null'));
      expect(ok ? [] : validate.errors, where).toEqual([]);
    }
  });

  it('the validator is not vacuous: required fields, nullable and exclusiveMinimum are enforced', () => {
    const validate = spec.validator('GET', '/get-phone-number/{phone_number}', 200);
    const base = { phone_number: N1, phone_number_type: 'custom', last_modification_timestamp: 1 };
    expect(validate?.({ phone_number: N1 })).toBe(false);
    expect(validate?.({ ...base, sip_outbound_trunk_config: null, nickname: null })).toBe(true);
    expect(validate?.({ ...base, area_code: null })).toBe(false);
    expect(validate?.({ ...base, inbound_agents: [{ agent_id: 'a', weight: 0 }] })).toBe(false);
    expect(validate?.({ ...base, inbound_agents: [{ agent_id: 'a', weight: 1 }] })).toBe(true);
  });
});
