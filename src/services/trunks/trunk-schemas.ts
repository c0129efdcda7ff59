// What the trunk routes take and show. An adopted SIP password is wrapped as a `Secret` where it
// enters; the view says only that telvault holds a password, never its value or any part of it.
import { z } from 'zod';
import { asSecret } from '../common/secret-field.js';
import { TRUNK_STEPS } from './trunk-state.js';
import { displayText } from '../common/display-text.js';

const sid = (prefix: string) =>
  z
    .string({ error: 'must be a string' })
    .regex(new RegExp(`^${prefix}[0-9a-fA-F]{32}$`), `must be ${prefix} followed by 32 hex digits`);

/** Twilio's rule for SIP credential passwords (providers.md §1.6), with a sane upper bound. */
export const sipPassword = z
  .string({ error: 'must be a string' })
  .min(12, 'must be at least 12 characters')
  .max(128, 'must be at most 128 characters')
  .regex(/[0-9]/, 'must contain a digit')
  .regex(/[a-z]/, 'must contain a lower-case letter')
  .regex(/[A-Z]/, 'must contain an upper-case letter')
  .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces');

const sipUri = z
  .string({ error: 'must be a string' })
  .max(255, 'must be at most 255 characters')
  .regex(
    /^sips?:[A-Za-z0-9.;=_@:+-]+$/,
    'must be a sip: URI (letters, digits and . ; = _ @ : + -)',
  );

export const trunkSetup = z.strictObject(
  {
    adopt: z
      .strictObject(
        {
          trunkSid: sid('TK'),
          credentialSid: sid('CR').optional(),
          password: asSecret(sipPassword)
            .optional()
            .describe('Write-only: the password of the credential adopted, which telvault seals.'),
        },
        { error: 'must be an object with trunkSid (and credentialSid, password)' },
      )
      .optional(),
    inbound: z
      .strictObject(
        { originationUri: sipUri.optional() },
        { error: 'must be an object with originationUri' },
      )
      .optional(),
  },
  { error: 'must be an object' },
);
export type TrunkSetup = z.output<typeof trunkSetup>;

export const trunkQuery = z.strictObject({
  check: z.enum(['live'], { error: 'must be live' }).optional(),
});

const origin = z.enum(['created', 'adopted']);
const stepError = z.object({
  code: z.string(),
  providerCode: z.union([z.string(), z.number()]).nullable(),
  status: z.number().nullable(),
});

export const trunkView = z.object({
  state: z
    .enum(['provisioning', 'ready', 'failed', 'imported'])
    .describe('imported: brought in by `telvault import`; the next PUT …/trunk adopts it.'),
  twilioAccountSid: z.string(),
  trunkSid: z.string().nullable(),
  domainName: z.string().nullable(),
  terminationUri: z.string().nullable(),
  credentialList: z.object({ sid: z.string(), origin }).nullable(),
  credential: z
    .object({
      sid: z.string(),
      origin,
      username: z.string(),
      password: z.object({ set: z.literal(true) }),
    })
    .nullable(),
  originationUrls: z.array(z.object({ sid: z.string(), sipUrl: z.string(), origin })),
  steps: z.array(
    z.object({
      name: z.enum(TRUNK_STEPS),
      status: z.enum(['pending', 'intent', 'done', 'failed']),
      at: z.string().nullable(),
      sid: z.string().optional(),
      origin: origin.optional(),
      error: stepError.optional(),
    }),
  ),
  failedStep: z.enum(TRUNK_STEPS).nullable(),
  error: stepError.nullable(),
  numbers: z.number().int(),
  notes: z.array(z.string()),
  drift: z
    .array(z.object({ resource: z.string(), problem: z.string() }))
    .optional()
    .describe(
      'With ?check=live: each difference between what telvault recorded and the providers.',
    ),
});
export type TrunkView = z.input<typeof trunkView>;

export const trunkRepair = z.strictObject(
  {
    dryRun: z.boolean({ error: 'must be true or false' }).optional(),
    phoneNumber: asSecret(
      z
        .string({ error: 'must be a string' })
        .regex(/^\+[1-9][0-9]{6,14}$/, 'must be a number in E.164 (+ and 7 to 15 digits)'),
    ).optional(),
  },
  { error: 'must be an object' },
);
export type TrunkRepair = z.output<typeof trunkRepair>;

export const jobQuery = z.strictObject({
  wait: z.enum(['true', 'false'], { error: 'must be true or false' }).optional(),
});

export const jobView = z.object({
  id: z.string(),
  kind: z.string(),
  state: z.enum(['pending', 'running', 'done', 'failed']),
  progress: z.object({ done: z.number().int(), total: z.number().int() }),
  result: z
    .unknown()
    .describe("When done: the job's result (repair: total, fixed, alreadyOk, failed, results)."),
  error: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

const agent = z
  .string({ error: 'must be a string' })
  .regex(/^[A-Za-z0-9_-]{1,128}$/, 'must be 1 to 128 of A-Z a-z 0-9 _ -');

const retellPlacement = z
  .strictObject(
    {
      inboundAgentId: agent.optional(),
      outboundAgentId: agent.optional(),
      nickname: displayText(100).optional(),
    },
    { error: 'must be an object with inboundAgentId, outboundAgentId, nickname' },
  )
  .optional();

export const phonePurchase = z
  .strictObject(
    {
      phoneNumber: asSecret(
        z
          .string({ error: 'must be a string' })
          .regex(/^\+[1-9][0-9]{6,14}$/, 'must be a number in E.164 (+ and 7 to 15 digits)'),
      ).optional(),
      areaCode: z
        .string({ error: 'must be a string' })
        .regex(/^[0-9]{2,5}$/, 'must be 2 to 5 digits')
        .optional(),
      country: z
        .string({ error: 'must be a string' })
        .regex(/^[A-Z]{2}$/, 'must be an ISO 3166 alpha-2 code (upper case)')
        .optional(),
      type: z
        .enum(['local', 'mobile', 'tollFree'], { error: 'must be local, mobile or tollFree' })
        .optional(),
      addressSid: sid('AD').optional(),
      bundleSid: sid('BU').optional(),
      emergencyAddressSid: sid('AD').optional(),
      label: displayText(200).optional(),
      retell: retellPlacement,
    },
    { error: 'must be an object' },
  )
  .refine((b) => !(b.phoneNumber !== undefined && b.areaCode !== undefined), {
    message: 'phoneNumber and areaCode: give one or the other',
    path: ['areaCode'],
  });
export type PhonePurchase = z.output<typeof phonePurchase>;

export const phoneAttach = z.strictObject(
  { retell: retellPlacement },
  { error: 'must be an object' },
);
export type PhoneAttach = z.output<typeof phoneAttach>;

export const phoneReleaseQuery = z.strictObject({
  release: z.enum(['true', 'false'], { error: 'must be true or false' }).optional(),
});

export const offboardQuery = z.strictObject({
  releaseNumbers: z.enum(['true', 'false'], { error: 'must be true or false' }).optional(),
});

const resourceRef = z.object({ resource: z.string(), sid: z.string() });
export const offboardView = z.object({
  numbers: z.object({ released: z.number().int(), detached: z.number().int() }),
  removed: z.array(resourceRef).describe('What telvault had created, deleted at Twilio.'),
  leftInPlace: z
    .array(resourceRef)
    .describe('What telvault had adopted: detached, left at Twilio.'),
});
