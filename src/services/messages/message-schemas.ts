// What the message route takes: an SMS through Twilio from one of the tenant's phones (default:
// the phone whose number is the Twilio credentials' defaultFrom). The destination and the body are
// wrapped as Secrets where they enter.
import { z } from 'zod';
import { asSecret } from '../common/secret-field.js';
import { callerIp, destination } from '../calls/call-schemas.js';

/** Twilio's limit for one message (it splits longer ones into segments up to this). */
export const MAX_SMS_BODY = 1600;

export const messageCreate = z
  .strictObject({
    fromPhoneId: z
      .string({ error: 'must be a string' })
      .regex(/^[0-9a-f-]{36}$/, 'must be a phone id')
      .optional()
      .describe("Default: the tenant's phone whose number is the Twilio credentials' defaultFrom."),
    to: destination,
    body: asSecret(
      z
        .string({ error: 'is required and must be a string' })
        .min(1, 'must not be empty')
        .refine(
          (b) => Array.from(b).length <= MAX_SMS_BODY,
          `must be at most ${MAX_SMS_BODY} characters`,
        ),
    ).describe('Sealed at rest; never logged.'),
    callerIp: callerIp.optional(),
  })
  .brand<'MessageCreate'>();
export type MessageCreate = z.output<typeof messageCreate>;
