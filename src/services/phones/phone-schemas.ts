// What the phone routes take and show. The number and the Exotel key and token are wrapped as
// `Secret`s where they enter; a view never carries a key or token, only whether it is set.
import { z } from 'zod';
import { EXOTEL_SUBDOMAINS } from '../credentials/providers.js';
import { token } from '../credentials/fields.js';
import { asSecret, secretFieldView } from '../common/secret-field.js';
import { countryCode } from '../tenants/settings-schemas.js';
import { PHONE_NUMBER_TYPES } from './phone-number.js';
import { displayText } from '../common/display-text.js';

/** The providers that can carry a phone's calls. */
export const PHONE_PROVIDERS = ['exotel', 'twilio', 'retell'] as const;
export type PhoneProvider = (typeof PHONE_PROVIDERS)[number];

export const MAX_TAGS = 20;
export const MAX_LABEL = 200;

const provider = z.enum(PHONE_PROVIDERS, { error: `must be one of ${PHONE_PROVIDERS.join(', ')}` });

/** A number as typed (any common format): normalized by the service, never echoed. */
const numberText = asSecret(
  z
    .string({ error: 'is required and must be a string' })
    .min(1, 'must not be empty')
    .max(64, 'must be at most 64 characters'),
).describe('Any common format; a national one is read with country, else the tenant default.');

export const phoneTag = z
  .string({ error: 'must be a string' })
  .regex(/^[a-z0-9][a-z0-9._:-]{0,63}$/, 'must be 1 to 64 of a-z 0-9 . _ : - (lower case)');

const tags = z
  .array(phoneTag, { error: 'must be a list of tags' })
  .max(MAX_TAGS, `must hold at most ${MAX_TAGS} tags`)
  .refine((l) => new Set(l).size === l.length, 'must not repeat a tag');

const label = displayText(MAX_LABEL);

/** An Exotel flow URL (`http://my.exotel.com/<sid>/exoml/start_voice/<app id>`): http(s) only. */
export const exotelFlowUrl = z
  .url({ protocol: /^https?$/, error: 'must be an http or https URL' })
  .max(2048, 'must be at most 2048 characters');

/** The number's own Exotel account: all four fields together. */
export const phoneExotelInput = z.strictObject(
  {
    apiKey: asSecret(token('API key')).describe('Write-only.'),
    apiToken: asSecret(token('API token')).describe('Write-only.'),
    sid: z
      .string({ error: 'is required' })
      .regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1 to 64 of A-Z a-z 0-9 _ -'),
    subdomain: z.enum(EXOTEL_SUBDOMAINS, {
      error: `must be one of ${EXOTEL_SUBDOMAINS.join(', ')}`,
    }),
    flowUrl: exotelFlowUrl
      .optional()
      .describe('The Exotel flow (applet) a call from this phone runs, unless the call names one.'),
  },
  { error: 'must be an object with apiKey, apiToken, sid and subdomain (and optionally flowUrl)' },
);

const agentId = z
  .string({ error: 'must be a string' })
  .regex(/^[A-Za-z0-9_-]{1,128}$/, 'must be 1 to 128 of A-Z a-z 0-9 _ -');

const retellIds = z.strictObject(
  {
    inboundAgentId: agentId.nullable().optional(),
    outboundAgentId: agentId.nullable().optional(),
  },
  { error: 'must be an object with inboundAgentId and/or outboundAgentId' },
);

export const phoneCreate = z
  .strictObject({
    number: numberText,
    country: countryCode.optional(),
    label: label.optional(),
    tags: tags.optional(),
    provider,
    exotel: phoneExotelInput.optional(),
    retell: retellIds.optional(),
  })
  .brand<'PhoneCreate'>();
export type PhoneCreate = z.output<typeof phoneCreate>;

/** A field a PATCH may not carry: refused by name (whatever its value), never echoed. */
const immutable = (why: string) =>
  z
    .unknown()
    .refine(() => false, why)
    .optional();

export const phonePatch = z
  .strictObject({
    number: immutable('cannot be changed: delete the phone and create it again'),
    provider: immutable('cannot be changed: delete the phone and create it again'),
    country: immutable('cannot be changed: it is the region of the number'),
    label: label.nullable().optional(),
    tags: tags.nullable().optional(),
    exotel: phoneExotelInput.nullable().optional(),
    retell: retellIds.nullable().optional(),
  })
  .brand<'PhonePatch'>();
export type PhonePatch = z.output<typeof phonePatch>;

export const phoneLookup = z
  .strictObject({ number: numberText, country: countryCode.optional() })
  .brand<'PhoneLookup'>();
export type PhoneLookup = z.output<typeof phoneLookup>;

export const phoneListQuery = z.strictObject({
  cursor: z
    .string()
    .regex(/^[0-9a-f-]{36}$/, 'must be the nextCursor of a previous page')
    .optional(),
  limit: z.coerce
    .number({ error: 'must be a number' })
    .int('must be an integer')
    .min(1, 'must be at least 1')
    .max(200, 'must be at most 200')
    .optional(),
  provider: provider.optional(),
  tag: phoneTag.optional(),
});
export type PhoneListQuery = z.output<typeof phoneListQuery>;

export const phoneView = z
  .object({
    id: z.string(),
    number: z.string().describe('E.164 to the tenant; masked to the root token.'),
    country: z.string(),
    numberType: z.enum(PHONE_NUMBER_TYPES),
    label: z.string().nullable(),
    tags: z.array(z.string()),
    provider,
    exotel: z
      .object({
        sid: z.string(),
        subdomain: z.enum(EXOTEL_SUBDOMAINS),
        flowUrl: z.string().nullable(),
        apiKey: secretFieldView,
        apiToken: secretFieldView,
      })
      .nullable(),
    retell: z.object({
      inboundAgentId: z.string().nullable(),
      outboundAgentId: z.string().nullable(),
      synced: z
        .boolean()
        .describe(
          'Whether Retell has these ids: false when the tenant has no Retell credentials or Retell does not know the number.',
        ),
    }),
    twilio: z
      .object({
        sid: z.string().describe("Twilio's IncomingPhoneNumber sid."),
        onTrunk: z.boolean().describe("Whether telvault put the number on the tenant's SIP trunk."),
      })
      .nullable()
      .describe('Set for a number bought or attached through the trunk routes.'),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Phone' });
export type PhoneView = z.infer<typeof phoneView>;

export const phoneVerifyResult = z
  .discriminatedUnion('ok', [
    z.object({ ok: z.literal(true) }),
    z.object({
      ok: z.literal(false),
      error: z.object({
        code: z.string().meta({ example: 'ERR_PROVIDER_CREDENTIALS_INVALID' }),
        message: z.string(),
        status: z.number().int().optional(),
        providerCode: z.union([z.string(), z.number()]).optional(),
        retryable: z.boolean(),
      }),
    }),
  ])
  .meta({ id: 'PhoneExotelVerifyResult' });
export type PhoneVerifyResult = z.infer<typeof phoneVerifyResult>;

export const phonePageView = z.object({
  phones: z.array(phoneView),
  nextCursor: z.string().nullable(),
});
export type PhonePageView = z.infer<typeof phonePageView>;
