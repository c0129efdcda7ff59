// The sandbox seed: which accounts and keys exist when a sandbox starts (and after a reset).
//
// Format (JSON; every section optional):
//
// {
//   "twilio": {
//     "accounts": [
//       { "sid": "AC<32 hex>", "authToken": "<32 hex>", "friendlyName": "main",
//         "parentSid": "AC<32 hex>",                        // optional: makes it a subaccount
//         "apiKeys": [{ "sid": "SK<32 hex>", "secret": "<secret>" }],    // optional
//         "numbers": ["+14155550100"] }   // optional: incoming numbers it owns (voice and SMS
//                                          // capable, so a valid From for messages and calls)
//     ]
//   },
//   "retell":   { "apiKeys": ["key_…"],                   // each key: a workspace of its own
//                 "workspaces": [{ "apiKeys": ["key_a", "key_b"],  // optional: keys sharing one
//                                  "webhookKey": "key_b" }] },    // signs webhooks (default: first)
//   "exotel":   { "accounts": [{ "host": "api.in.exotel.com", "sid": "<account sid>",
//                               "apiKey": "<key>", "apiToken": "<token>" }] },
//   "sendgrid": { "apiKeys": ["SG.…"], "verifiedSenders": ["noreply@example.com"],
//                 "unverifiedSenders": ["pending@example.com"],      // optional: listed, not verified
//                 "authenticatedDomains": ["mail.example.com"] }    // optional: any address there
// }
//
// Each provider's store applies its own section (createSandboxContext passes it on). A parent
// account must be listed before its subaccounts. `telvault sandbox` without `--seed` generates a
// seed with `generateSandboxSeed()` and prints it.
import { randomBytes } from 'node:crypto';
import { z } from 'zod';

/** A Twilio SID schema: the prefix (`AC`, `SK`, …) and 32 hex digits. */
export const twilioSid = (prefix: string) =>
  z.string().regex(new RegExp(`^${prefix}[0-9a-fA-F]{32}$`), `must be ${prefix} + 32 hex digits`);

export const twilioSeedSchema = z.object({
  accounts: z
    .array(
      z.object({
        sid: twilioSid('AC'),
        authToken: z.string().min(1),
        friendlyName: z.string().max(64).optional(),
        parentSid: twilioSid('AC').optional(),
        apiKeys: z.array(z.object({ sid: twilioSid('SK'), secret: z.string().min(1) })).optional(),
        /** Incoming numbers the account owns (SMS- and voice-capable, as Twilio's views show). */
        numbers: z
          .array(z.string().regex(/^\+[1-9]\d{7,14}$/, 'must be an E.164 number (+ and digits)'))
          .optional(),
      }),
    )
    .default([]),
});

export const retellSeedSchema = z.object({
  apiKeys: z.array(z.string().min(1)).default([]),
  workspaces: z
    .array(
      z
        .object({
          apiKeys: z.array(z.string().min(1)).min(1),
          webhookKey: z.string().min(1).optional(),
        })
        .refine((ws) => ws.webhookKey === undefined || ws.apiKeys.includes(ws.webhookKey), {
          message: "must be one of the workspace's apiKeys",
          path: ['webhookKey'],
        }),
    )
    .optional(),
});

export const exotelSeedSchema = z.object({
  accounts: z
    .array(
      z.object({
        host: z.enum(['api.exotel.com', 'api.in.exotel.com']),
        sid: z.string().min(1),
        apiKey: z.string().min(1),
        apiToken: z.string().min(1),
      }),
    )
    .default([]),
});

export const sendgridSeedSchema = z.object({
  apiKeys: z.array(z.string().min(1)).default([]),
  /** Absent: no sender check (every address may send). */
  verifiedSenders: z.array(z.string().min(1)).optional(),
  unverifiedSenders: z.array(z.string().min(1)).optional(),
  authenticatedDomains: z.array(z.string().min(1)).optional(),
});

export const sandboxSeedSchema = z.object({
  twilio: twilioSeedSchema.optional(),
  retell: retellSeedSchema.optional(),
  exotel: exotelSeedSchema.optional(),
  sendgrid: sendgridSeedSchema.optional(),
});

export type SandboxSeed = z.infer<typeof sandboxSeedSchema>;
export type TwilioSeed = z.infer<typeof twilioSeedSchema>;
export type RetellSeed = z.infer<typeof retellSeedSchema>;
export type ExotelSeed = z.infer<typeof exotelSeedSchema>;
export type SendgridSeed = z.infer<typeof sendgridSeedSchema>;

/** Parses a seed (e.g. a `--seed` file's JSON); the error names the offending field. */
export function parseSandboxSeed(input: unknown): SandboxSeed {
  const result = sandboxSeedSchema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue === undefined ? 'seed' : issue.path.join('.') || 'seed';
  throw new Error(`invalid sandbox seed: "${where}" ${issue?.message ?? 'is invalid'}`);
}

const hex = (bytes: number): string => randomBytes(bytes).toString('hex');

/** A fresh set of accounts for every provider, with random secrets. */
export function generateSandboxSeed(): SandboxSeed {
  const main = `AC${hex(16)}`;
  return {
    twilio: {
      accounts: [
        {
          sid: main,
          authToken: hex(16),
          friendlyName: 'sandbox main account',
          apiKeys: [{ sid: `SK${hex(16)}`, secret: randomBytes(24).toString('base64url') }],
        },
        {
          sid: `AC${hex(16)}`,
          authToken: hex(16),
          friendlyName: 'sandbox subaccount',
          parentSid: main,
        },
      ],
    },
    retell: { apiKeys: [`key_${hex(12)}`] },
    exotel: {
      accounts: [
        { host: 'api.in.exotel.com', sid: `sandbox${hex(4)}`, apiKey: hex(16), apiToken: hex(16) },
        { host: 'api.exotel.com', sid: `sandbox${hex(4)}`, apiKey: hex(16), apiToken: hex(16) },
      ],
    },
    sendgrid: { apiKeys: [`SG.${hex(11)}.${hex(21)}`], verifiedSenders: ['noreply@example.com'] },
  };
}
