// Request bodies Retell accepts for import and update (../shared/specs/retell/openapi.yaml,
// importPhoneNumber and updatePhoneNumber), parsed with zod. A body field the spec does not list
// is refused with a 400 naming it (the spec never says one is ignored): a platform sending
// update-phone-number the response's nested `sip_outbound_trunk_config` learns that the request
// takes termination_uri, auth_username, auth_password and transport at the top level, instead of
// a 200 that changed nothing.
import { z } from 'zod';

const agentList = z
  .array(
    z.object({
      agent_id: z.string().min(1),
      weight: z.number().gt(0).lte(1),
      agent_version: z.number().int().optional(),
    }),
  )
  .refine((agents) => agents.length === 0 || Math.abs(sum(agents) - 1) < 1e-9, {
    message: 'weights must add up to 1',
  })
  .nullable()
  .optional();

const transport = z.enum(['TLS', 'TCP', 'UDP']).nullable().optional();
const countries = z.array(z.string()).nullable().optional();
const agentId = z.string().min(1).nullable().optional();
const agentVersion = z.number().int().nullable().optional();

const agentFields = {
  inbound_agent_id: agentId,
  outbound_agent_id: agentId,
  inbound_agent_version: agentVersion,
  outbound_agent_version: agentVersion,
  inbound_agents: agentList,
  outbound_agents: agentList,
  inbound_webhook_url: z.string().nullable().optional(),
  allowed_inbound_country_list: countries,
  allowed_outbound_country_list: countries,
  transport,
};

export const importBodySchema = z.object({
  phone_number: z.string().min(1),
  termination_uri: z.string().min(1),
  ignore_e164_validation: z.boolean().optional(),
  sip_trunk_auth_username: z.string().optional(),
  sip_trunk_auth_password: z.string().optional(),
  nickname: z.string().optional(),
  ...agentFields,
});

export const updateBodySchema = z.object({
  ...agentFields,
  inbound_sms_agents: agentList,
  outbound_sms_agents: agentList,
  inbound_sms_webhook_url: z.string().nullable().optional(),
  nickname: z.string().nullable().optional(),
  fallback_number: z.string().nullable().optional(),
  termination_uri: z.string().optional(),
  auth_username: z.string().optional(),
  auth_password: z.string().optional(),
});

export const listQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(50),
  sort_order: z.enum(['ascending', 'descending']).default('descending'),
  pagination_key: z.string().optional(),
});

export type ImportBody = z.infer<typeof importBodySchema>;
export type UpdateBody = z.infer<typeof updateBodySchema>;

/** What to say about a field the request does not take, where there is more to say. */
const UNKNOWN_HINTS: Readonly<Record<string, string>> = {
  sip_outbound_trunk_config:
    'sip_outbound_trunk_config is the response shape; send termination_uri, auth_username, auth_password and transport at the top level',
};

/** Body fields `schema` (an object schema) does not list, in the order sent. */
function unknownFields(schema: z.ZodType, input: unknown): string[] {
  if (!(schema instanceof z.ZodObject) || typeof input !== 'object' || input === null) return [];
  const known = new Set(Object.keys(schema.shape));
  return Object.keys(input).filter((key) => !known.has(key));
}

/**
 * Parses `input`; on failure returns the first issue as `field: rule`. A body (not a query) with
 * a field the schema does not list is refused, naming every such field.
 */
export function parseBody<T>(
  schema: z.ZodType<T>,
  input: unknown,
  { body = true }: { body?: boolean } = {},
): { ok: true; value: T } | { ok: false; problem: string } {
  const unknown = body ? unknownFields(schema, input) : [];
  if (unknown.length > 0) {
    const hints = unknown.flatMap((key) => UNKNOWN_HINTS[key] ?? []);
    const hint = hints.length === 0 ? '' : ` (${hints.join('; ')})`;
    return { ok: false, problem: `${unknown.join(', ')}: unknown field${hint}` };
  }
  const result = schema.safeParse(input ?? {});
  if (result.success) return { ok: true, value: result.data };
  const issue = result.error.issues[0];
  const where = issue?.path.join('.') ?? '';
  return { ok: false, problem: `${where === '' ? 'body' : where}: ${issue?.message ?? 'invalid'}` };
}

function sum(agents: { weight: number }[]): number {
  return agents.reduce((total, a) => total + a.weight, 0);
}
