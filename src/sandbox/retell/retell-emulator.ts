// Retell's phone-number API (https://api.retellai.com), mounted at /retell: Bearer auth, import,
// update, get, both list endpoints and delete (providers.md §4 and §8.4); outbound calls in
// retell-call-routes.ts.
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { SandboxContext } from '../sandbox-context.js';
import { RETELL_MESSAGES, retellError, setWorkspace, workspaceOf } from './retell-http.js';
import { Secret } from '../../crypto/index.js';
import {
  importBodySchema,
  listQuerySchema,
  parseBody,
  updateBodySchema,
} from './retell-schemas.js';
import type { RetellNumber, RetellNumberFields, RetellStore } from './retell-store.js';
import {
  applyAgentFields,
  areaCodeOf,
  prettyPhoneNumber,
  toPhoneNumberResponse,
} from './retell-view.js';
import { registerRetellCallRoutes } from './retell-call-routes.js';
import { registerRetellListRoutes } from './retell-list-routes.js';

const E164 = /^\+[1-9]\d{1,14}$/;

export const retellEmulator: FastifyPluginAsync<{ context: SandboxContext }> = (
  app,
  { context },
) => {
  const store = context.retell;
  context.errorFormatters.retell = (_status, _code, message) => ({ status: 'error', message });

  app.setErrorHandler((error: { statusCode?: number }, _request, reply) => {
    const status = error.statusCode !== undefined && error.statusCode < 500 ? 400 : 500;
    return retellError(
      reply,
      status,
      status === 400 ? RETELL_MESSAGES.badRequest : RETELL_MESSAGES.internal,
    );
  });
  app.setNotFoundHandler((_request, reply) => retellError(reply, 404, 'Not Found'));

  app.addHook('onRequest', async (request, reply) => {
    const header = request.headers.authorization ?? '';
    const match = /^Bearer (.+)$/.exec(header);
    const ws = match?.[1] === undefined ? undefined : store.workspaceFor(match[1]);
    if (ws === undefined) return retellError(reply, 401, RETELL_MESSAGES.unauthorized);
    setWorkspace(request, ws);
    return undefined;
  });

  app.post('/import-phone-number', async (request, reply) => {
    const parsed = parseBody(importBodySchema, request.body);
    if (!parsed.ok)
      return retellError(reply, 400, `${RETELL_MESSAGES.badRequest} (${parsed.problem})`);
    const body = parsed.value;
    if (body.ignore_e164_validation === false && !E164.test(body.phone_number)) {
      return retellError(reply, 400, `${RETELL_MESSAGES.badRequest} (phone_number: not E.164)`);
    }
    const numbers = store.numbersOf(workspaceOf(request));
    if (numbers.has(body.phone_number)) {
      return retellError(reply, store.settings.duplicateImportStatus, RETELL_MESSAGES.duplicate);
    }
    const number = importNumber(store, body);
    numbers.set(body.phone_number, number);
    return reply.code(201).send(toPhoneNumberResponse(number));
  });

  app.patch<{ Params: { phone_number: string } }>(
    '/update-phone-number/:phone_number',
    async (request, reply) => {
      const number = findNumber(store, request);
      if (number === undefined) return retellError(reply, 422, RETELL_MESSAGES.notFound);
      const parsed = parseBody(updateBodySchema, request.body);
      if (!parsed.ok)
        return retellError(reply, 400, `${RETELL_MESSAGES.badRequest} (${parsed.problem})`);
      updateNumber(number, parsed.value);
      return reply.code(200).send(toPhoneNumberResponse(number));
    },
  );

  app.get<{ Params: { phone_number: string } }>(
    '/get-phone-number/:phone_number',
    async (request, reply) => {
      const number = findNumber(store, request);
      if (number === undefined) return retellError(reply, 422, RETELL_MESSAGES.notFound);
      return reply.code(200).send(toPhoneNumberResponse(number));
    },
  );

  app.delete<{ Params: { phone_number: string } }>(
    '/delete-phone-number/:phone_number',
    async (request, reply) => {
      const numbers = store.numbersOf(workspaceOf(request));
      if (!numbers.delete(request.params.phone_number)) {
        return retellError(reply, 422, RETELL_MESSAGES.notFound);
      }
      return reply.code(204).send();
    },
  );

  registerRetellListRoutes(app, store, listQuerySchema);
  registerRetellCallRoutes(app, store);
  return Promise.resolve();
};

function findNumber(
  store: RetellStore,
  request: FastifyRequest<{ Params: { phone_number: string } }>,
): RetellNumber | undefined {
  // Fastify decodes `%2B` to `+` and leaves a raw `+` as is (never a space), as Retell needs.
  return store.numbersOf(workspaceOf(request)).get(request.params.phone_number);
}

function importNumber(
  store: RetellStore,
  body: ReturnType<typeof importBodySchema.parse>,
): RetellNumber {
  const fields: RetellNumberFields = {
    phone_number: body.phone_number,
    phone_number_type: 'custom',
    phone_number_pretty: prettyPhoneNumber(body.phone_number),
    last_modification_timestamp: Date.now(),
    nickname: body.nickname ?? null,
    inbound_agent_id: null,
    outbound_agent_id: null,
    inbound_agent_version: null,
    outbound_agent_version: null,
    inbound_agents: null,
    outbound_agents: null,
    inbound_webhook_url: body.inbound_webhook_url ?? null,
    allowed_inbound_country_list: body.allowed_inbound_country_list ?? null,
    allowed_outbound_country_list: body.allowed_outbound_country_list ?? null,
  };
  const areaCode = areaCodeOf(body.phone_number);
  if (areaCode !== undefined) fields.area_code = areaCode;
  applyAgentFields(fields, body, 'inbound');
  applyAgentFields(fields, body, 'outbound');
  const password = body.sip_trunk_auth_password;
  return {
    seq: store.nextSeq(),
    fields,
    sip: {
      terminationUri: body.termination_uri,
      authUsername: body.sip_trunk_auth_username ?? null,
      password: password === undefined || password === '' ? undefined : new Secret(password),
      transport: body.transport ?? 'TCP',
    },
  };
}

const PLAIN_UPDATES = [
  'nickname',
  'inbound_webhook_url',
  'inbound_sms_webhook_url',
  'inbound_sms_agents',
  'outbound_sms_agents',
  'allowed_inbound_country_list',
  'allowed_outbound_country_list',
  'fallback_number',
] as const;

function updateNumber(number: RetellNumber, body: ReturnType<typeof updateBodySchema.parse>): void {
  const { fields } = number;
  for (const key of PLAIN_UPDATES) if (key in body) fields[key] = body[key] ?? null;
  applyAgentFields(fields, body, 'inbound');
  applyAgentFields(fields, body, 'outbound');
  const { termination_uri, auth_username, auth_password, transport } = body;
  if ([termination_uri, auth_username, auth_password, transport].some((v) => v !== undefined)) {
    const sip = number.sip ?? {
      terminationUri: null,
      authUsername: null,
      password: undefined,
      transport: 'TCP',
    };
    if (termination_uri !== undefined) sip.terminationUri = termination_uri;
    if (auth_username !== undefined) sip.authUsername = auth_username;
    if (auth_password !== undefined) {
      sip.password = auth_password === '' ? undefined : new Secret(auth_password);
    }
    if (transport !== undefined) sip.transport = transport ?? 'TCP';
    number.sip = sip;
  }
  fields.last_modification_timestamp = Math.max(Date.now(), fields.last_modification_timestamp + 1);
}
