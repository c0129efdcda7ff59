// What the call routes take: a call from one of the tenant's phones to a number, and a Twilio
// Voice access token for a browser or app. The destination is wrapped as a Secret where it enters.
import { z } from 'zod';
import { asSecret } from '../common/secret-field.js';
import { exotelFlowUrl } from '../phones/phone-schemas.js';

const phoneId = z
  .string({ error: 'is required and must be a string' })
  .regex(/^[0-9a-f-]{36}$/, 'must be a phone id');

/** A destination as typed (any common format): normalized by the service, never echoed. */
export const destination = asSecret(
  z
    .string({ error: 'is required and must be a string' })
    .min(1, 'must not be empty')
    .max(64, 'must be at most 64 characters'),
).describe("E.164, or a national number read in the tenant's defaultCountry.");

/** The platform's end user (e.g. the browser behind a click-to-call button), for its limit. */
export const callerIp = z
  .union([z.ipv4(), z.ipv6()], { error: 'must be an IPv4 or IPv6 address' })
  .describe(
    "The platform's end user the request is for: limited per address instead of per token.",
  );

export const callCreate = z
  .strictObject({
    fromPhoneId: phoneId.describe('The phone the call is placed from; its provider routes it.'),
    to: destination,
    agentId: z
      .string({ error: 'must be a string' })
      .regex(/^[A-Za-z0-9_-]{1,128}$/, 'must be 1 to 128 of A-Z a-z 0-9 _ -')
      .optional()
      .describe("Retell: the agent (override_agent_id); default the phone's outbound agent."),
    twiml: z
      .string({ error: 'must be a string' })
      .min(1, 'must not be empty')
      .max(4000, 'must be at most 4000 characters')
      .optional()
      .describe('Twilio: the TwiML the call runs.'),
    url: exotelFlowUrl
      .optional()
      .describe("Twilio: the TwiML URL; Exotel: the flow URL (default the phone's flowUrl)."),
    callerIp: callerIp.optional(),
  })
  .refine((b) => b.twiml === undefined || b.url === undefined, {
    path: ['twiml'],
    message: 'must not be sent with url (one or the other)',
  })
  .brand<'CallCreate'>();
export type CallCreate = z.output<typeof callCreate>;

export const accessTokenCreate = z
  .strictObject({
    identity: z
      .string({ error: 'is required and must be a string' })
      .regex(/^[A-Za-z0-9_.@-]{1,121}$/, 'must be 1 to 121 of A-Z a-z 0-9 _ . @ -'),
    ttlSeconds: z
      .number({ error: 'must be a number' })
      .int('must be a whole number')
      .min(60, 'must be at least 60')
      .max(3600, 'must be at most 3600')
      .optional(),
    incomingAllow: z.boolean({ error: 'must be true or false' }).optional(),
  })
  .brand<'AccessTokenCreate'>();
export type AccessTokenCreate = z.output<typeof accessTokenCreate>;

export const accessTokenView = z
  .object({
    token: z.string().describe('The JWT, shown once: never stored, never logged.'),
    expiresAt: z.string(),
  })
  .meta({ id: 'TwilioAccessToken' });
export type AccessTokenView = z.infer<typeof accessTokenView>;
