// What the email route takes: a message through SendGrid with the tenant's key, to at most 50
// addresses, plain text and/or HTML. Addresses are sealed in the record; the body is not stored.
import { z } from 'zod';

export const MAX_RECIPIENTS = 50;

const address = z.email('must be an email address').max(254, 'must be at most 254 characters');

export const emailCreate = z
  .strictObject({
    to: z
      .array(address, { error: 'must be a list of email addresses' })
      .min(1, 'must list at least one address')
      .max(MAX_RECIPIENTS, `must list at most ${MAX_RECIPIENTS} addresses`),
    subject: z
      .string({ error: 'is required and must be a string' })
      .min(1, 'must not be empty')
      .max(998, 'must be at most 998 characters'),
    text: z
      .string({ error: 'must be a string' })
      .min(1, 'must not be empty')
      .max(1_000_000)
      .optional(),
    html: z
      .string({ error: 'must be a string' })
      .min(1, 'must not be empty')
      .max(1_000_000)
      .optional(),
    from: address.optional().describe("Default: the SendGrid credentials' fromEmail."),
  })
  .refine((b) => b.text !== undefined || b.html !== undefined, {
    path: ['text'],
    message: 'text or html is required',
  })
  .brand<'EmailCreate'>();
export type EmailCreate = z.output<typeof emailCreate>;
