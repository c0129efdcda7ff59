// What the activity routes show: calls, messages and emails as their tenant sees them (the
// destination in E.164, an SMS body, an email's addresses and subject), or as the root token sees
// them (numbers and addresses masked, content left out).
import { z } from 'zod';

const errorView = z
  .object({
    code: z.string().meta({ example: 'ERR_PROVIDER_CREDENTIALS_INVALID' }),
    status: z.number().int().optional(),
    providerCode: z.union([z.string(), z.number()]).optional(),
    retryable: z.boolean(),
  })
  .nullable()
  .describe('The typed failure of the provider call, when it failed.');

const common = {
  id: z.string(),
  providerId: z.string().nullable().describe("The provider's id (Twilio CallSid, …)."),
  status: z.string(),
  error: errorView,
  createdAt: z.string(),
  updatedAt: z.string(),
};

export const callView = z
  .object({
    ...common,
    provider: z.enum(['exotel', 'twilio', 'retell']),
    phoneId: z.string().nullable(),
    to: z.string().describe('E.164 to the tenant; masked to the root token.'),
    agentId: z.string().nullable(),
  })
  .meta({ id: 'Call' });
export type CallView = z.infer<typeof callView>;

export const messageView = z
  .object({
    ...common,
    provider: z.literal('twilio'),
    phoneId: z.string().nullable(),
    to: z.string().describe('E.164 to the tenant; masked to the root token.'),
    body: z.string().optional().describe('Shown to the tenant only.'),
  })
  .meta({ id: 'Message' });
export type MessageView = z.infer<typeof messageView>;

export const emailView = z
  .object({
    ...common,
    provider: z.literal('sendgrid'),
    to: z.array(z.string()).describe('The addresses; masked to the root token.'),
    from: z.string().optional().describe('Shown to the tenant only.'),
    subject: z.string().optional().describe('Shown to the tenant only.'),
  })
  .meta({ id: 'Email' });
export type EmailView = z.infer<typeof emailView>;

const MAX_PAGE = 200;

export const activityListQuery = z.strictObject({
  cursor: z.string().max(64, 'must be at most 64 characters').optional(),
  limit: z.coerce
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(MAX_PAGE, `must be at most ${MAX_PAGE}`)
    .optional(),
  status: z
    .string()
    .regex(/^[a-z-]{1,20}$/, 'must be a status (a-z and -)')
    .optional(),
});
export type ActivityListQuery = z.infer<typeof activityListQuery>;

export const callPageView = z.object({
  calls: z.array(callView),
  nextCursor: z.string().nullable(),
});
export const messagePageView = z.object({
  messages: z.array(messageView),
  nextCursor: z.string().nullable(),
});
export const emailPageView = z.object({
  emails: z.array(emailView),
  nextCursor: z.string().nullable(),
});
