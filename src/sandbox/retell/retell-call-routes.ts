// Retell's outbound calls: `POST /v2/create-phone-call` (client.call.createPhoneCall) and
// `GET /v2/get-call/{call_id}` (client.call.retrieve), and `POST /v3/list-calls` (client.call.list,
// from and to number filters only), per workspace
// (../shared/specs/retell/openapi.yaml, createPhoneCall and getCall).
//
// Refusals: a from_number not imported in the caller's workspace answers 422 (the spec's
// UnprocessableContent, "Cannot find requested asset under given api key."); a number without an
// outbound agent and no override_agent_id, or a number not in E.164, answers 400. Retell's exact
// messages for these two are unverified [U]; the status is what a client can rely on.
import { randomInt } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { RETELL_MESSAGES, retellError, workspaceOf } from './retell-http.js';
import { toCallResponse } from './retell-calls.js';
import { parseBody } from './retell-schemas.js';
import type { RetellNumber, RetellStore } from './retell-store.js';
import type { AgentWeight } from './retell-view.js';

const E164 = /^\+[1-9]\d{1,14}$/;
const object = z.record(z.string(), z.unknown());

export const createPhoneCallBodySchema = z.object({
  from_number: z.string().min(1),
  to_number: z.string().min(1),
  override_agent_id: z.string().min(1).optional(),
  override_agent_version: z.number().int().optional(),
  agent_override: object.optional(),
  metadata: object.optional(),
  retell_llm_dynamic_variables: object.optional(),
  custom_sip_headers: z.record(z.string(), z.string()).optional(),
  ignore_e164_validation: z.boolean().optional(),
});

type CreateBody = z.infer<typeof createPhoneCallBodySchema>;

const numberFilter = z.object({
  op: z.literal('eq'),
  type: z.literal('string'),
  value: z.string(),
});

export const listCallsBodySchema = z.object({
  filter_criteria: z
    .object({ from_number: numberFilter.optional(), to_number: numberFilter.optional() })
    .catchall(z.unknown())
    .optional(),
  sort_order: z.enum(['ascending', 'descending']).optional(),
  limit: z.number().int().min(1).max(1000).optional(),
  pagination_key: z.string().optional(),
});

/** The agent the call runs: the override, else the number's outbound agents (by weight). */
function agentFor(
  number: RetellNumber,
  body: CreateBody,
): { agent_id: string; agent_version: number } | undefined {
  if (body.override_agent_id !== undefined) {
    return { agent_id: body.override_agent_id, agent_version: body.override_agent_version ?? 0 };
  }
  const agents = (number.fields.outbound_agents as AgentWeight[] | null | undefined) ?? [];
  // Weights add up to 1 (checked at import): pick one as Retell does, at random by weight.
  let left = randomInt(1_000_000) / 1_000_000;
  const chosen = agents.find((a) => (left -= a.weight) < 0) ?? agents.at(-1);
  if (chosen === undefined) return undefined;
  return { agent_id: chosen.agent_id, agent_version: chosen.agent_version ?? 0 };
}

export function registerRetellCallRoutes(app: FastifyInstance, store: RetellStore): void {
  const badRequest = (problem: string) => `${RETELL_MESSAGES.badRequest} (${problem})`;

  app.post('/v2/create-phone-call', async (request, reply) => {
    const parsed = parseBody(createPhoneCallBodySchema, request.body);
    if (!parsed.ok) return retellError(reply, 400, badRequest(parsed.problem));
    const body = parsed.value;
    if (!E164.test(body.to_number)) {
      return retellError(reply, 400, badRequest('to_number: not E.164'));
    }
    if (body.ignore_e164_validation !== true && !E164.test(body.from_number)) {
      return retellError(reply, 400, badRequest('from_number: not E.164'));
    }
    const workspace = workspaceOf(request);
    const number = store.numbersOf(workspace).get(body.from_number);
    if (number === undefined) return retellError(reply, 422, RETELL_MESSAGES.notFound);
    const agent = agentFor(number, body);
    if (agent === undefined) {
      return retellError(
        reply,
        400,
        badRequest('from_number: no outbound agent bound to the number, and no override_agent_id'),
      );
    }
    const call = store.calls.add(workspace, {
      call_type: 'phone_call',
      ...agent,
      call_status: 'registered',
      from_number: body.from_number,
      to_number: body.to_number,
      direction: 'outbound',
      ...(body.metadata === undefined ? {} : { metadata: body.metadata }),
      ...(body.retell_llm_dynamic_variables === undefined
        ? {}
        : { retell_llm_dynamic_variables: body.retell_llm_dynamic_variables }),
      ...(body.custom_sip_headers === undefined
        ? {}
        : { custom_sip_headers: body.custom_sip_headers }),
    });
    return reply.code(201).send(toCallResponse(call));
  });

  // The SDK's client.call.list (POST /v3/list-calls): the workspace's calls, filtered by from and
  // to number (op eq: the only filters emulated; any other is refused as a 400 naming it).
  app.post('/v3/list-calls', async (request, reply) => {
    const parsed = parseBody(listCallsBodySchema, request.body ?? {});
    if (!parsed.ok) return retellError(reply, 400, badRequest(parsed.problem));
    const {
      filter_criteria: filter = {},
      sort_order: order = 'descending',
      limit = 50,
    } = parsed.value;
    // In the spec, but the sandbox answers one page: a key from nowhere is refused, not ignored.
    if (parsed.value.pagination_key !== undefined) {
      return retellError(reply, 400, badRequest('pagination_key: not emulated'));
    }
    const other = Object.keys(filter).find((k) => k !== 'from_number' && k !== 'to_number');
    if (other !== undefined) return retellError(reply, 400, badRequest(`${other}: not emulated`));
    const matches = (value: string, f: { value: string } | undefined) =>
      f === undefined || f.value === value;
    const all = store.calls
      .list(workspaceOf(request))
      .filter(
        (c) =>
          matches(c.fields.from_number, filter.from_number) &&
          matches(c.fields.to_number, filter.to_number),
      );
    if (order === 'descending') all.reverse();
    return reply
      .code(200)
      .send({ has_more: all.length > limit, items: all.slice(0, limit).map(toCallResponse) });
  });

  app.get<{ Params: { call_id: string } }>('/v2/get-call/:call_id', async (request, reply) => {
    const call = store.calls.get(workspaceOf(request), request.params.call_id);
    if (call === undefined) return retellError(reply, 422, RETELL_MESSAGES.notFound);
    return reply.code(200).send(toCallResponse(call));
  });
}
