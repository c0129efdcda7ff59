// Request bodies Retell accepts for import and update (../shared/specs/retell/openapi.yaml,
// importPhoneNumber and updatePhoneNumber), parsed with zod. Unknown keys are dropped.
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

/** Parses `input`; on failure returns the first issue as `field: rule`. */
export function parseBody<T>(
  schema: z.ZodType<T>,
  input: unknown,
): { ok: true; value: T } | { ok: false; problem: string } {
  const result = schema.safeParse(input ?? {});
  if (result.success) return { ok: true, value: result.data };
  const issue = result.error.issues[0];
  const where = issue?.path.join('.') ?? '';
  return { ok: false, problem: `${where === '' ? 'body' : where}: ${issue?.message ?? 'invalid'}` };
}

function sum(agents: { weight: number }[]): number {
  return agents.reduce((total, a) => total + a.weight, 0);
}
