// Contract conformance of the call routes: every answer of `POST /v2/create-phone-call` and
// `GET /v2/get-call/{call_id}` in a full flow (success, refusals, and a call moved through its
// webhooks) validates against Retell's official OpenAPI document.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSandbox, type TestSandbox } from '../../support/sandbox.js';
import { unreachableUrl } from '../callback-receiver.js';
import { loadOpenApiResponses, type OpenApiResponses } from './openapi-schemas.js';
import { retellRaw } from './retell-raw.js';

const SPEC = fileURLToPath(
  new URL('../../../../shared/specs/retell/openapi.yaml', import.meta.url),
);
const hasSpec = existsSync(SPEC);
if (!hasSpec) console.warn(`skipping the Retell call contract test: ${SPEC} is absent`);

const KEY = 'key_call_contract';
const N1 = '+14155550100';
const N2 = '+14155550101';
const TO = '+14155550777';
const CALL_ROUTES = ['/retell/v2/create-phone-call', '/retell/v2/get-call/:call_id'];

describe.skipIf(!hasSpec)('Retell call routes match the official OpenAPI', () => {
  let sandbox: TestSandbox;
  let spec: OpenApiResponses;

  beforeAll(async () => {
    spec = loadOpenApiResponses(readFileSync(SPEC, 'utf8'));
    sandbox = await startTestSandbox({ retell: { apiKeys: [KEY] } });
    const raw = (method: string, path: string, body?: unknown, key = KEY) =>
      retellRaw(sandbox.url, key, method, path, body);
    const create = async (body: unknown, key = KEY) =>
      raw('POST', '/v2/create-phone-call', body, key);
    await raw('POST', '/import-phone-number', {
      phone_number: N1,
      termination_uri: 'a.pstn.twilio.com',
      outbound_agents: [{ agent_id: 'agent_a', weight: 1, agent_version: 3 }],
    });
    await raw('POST', '/import-phone-number', { phone_number: N2, termination_uri: 'b' });
    const placed = await create({ from_number: N1, to_number: TO, metadata: { id: 1 } });
    const callId = (placed.json as { call_id: string }).call_id;
    const statuses = [
      placed.status,
      (await create({ from_number: N2, to_number: TO, override_agent_id: 'agent_b' })).status,
      (await create({ from_number: N2, to_number: TO })).status,
      (await create({ from_number: N1, to_number: '555' })).status,
      (await create({ to_number: TO })).status,
      (await create({ from_number: N1, to_number: TO }, 'bad')).status,
      (await create({ from_number: '+14155550199', to_number: TO })).status,
      (await raw('GET', `/v2/get-call/${callId}`)).status,
      (await raw('GET', '/v2/get-call/unknown')).status,
      (await raw('GET', `/v2/get-call/${callId}`, undefined, 'bad')).status,
    ];
    const url = await unreachableUrl();
    for (const event of ['call_started', 'call_ended', 'call_analyzed']) {
      await sandbox.admin('POST', `retell/calls/${callId}/events`, { event, url });
      statuses.push((await raw('GET', `/v2/get-call/${callId}`)).status);
    }
    expect(statuses).toEqual([201, 201, 400, 400, 400, 401, 422, 200, 422, 401, 200, 200, 200]);
  });

  afterAll(async () => {
    await sandbox?.close();
  });

  it('validates every call exchange against its operation and status', () => {
    const exchanges = sandbox.context.exchanges.entries.filter((e) =>
      CALL_ROUTES.includes(e.route ?? ''),
    );
    expect(exchanges.length).toBe(13);
    for (const exchange of exchanges) {
      const path = (exchange.route ?? '').replace(/^\/retell/, '').replace(/:(\w+)/g, '{$1}');
      const where = `${exchange.method} ${path} → ${exchange.status}`;
      expect(spec.describes(exchange.method, path, exchange.status), where).toBe(true);
      const validate = spec.validator(exchange.method, path, exchange.status);
      expect(validate, where).toBeDefined();
      const ok = validate?.(JSON.parse(exchange.responseBody ?? 'null'));
      expect(ok ? [] : validate?.errors, where).toEqual([]);
    }
  });

  it('the validator is not vacuous: required fields and enums are enforced', () => {
    const validate = spec.validator('POST', '/v2/create-phone-call', 201);
    const call = {
      call_id: 'c1',
      call_type: 'phone_call',
      agent_id: 'a',
      agent_version: 0,
      call_status: 'registered',
      from_number: N1,
      to_number: TO,
      direction: 'outbound',
    };
    expect(validate?.(call)).toBe(true);
    const { agent_version: _dropped, ...noVersion } = call;
    expect(validate?.(noVersion)).toBe(false);
    expect(validate?.({ ...call, call_status: 'queued' })).toBe(false);
    expect(validate?.({ ...call, direction: 'outbound-api' })).toBe(false);
  });
});
