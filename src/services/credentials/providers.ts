// Provider credential schemas: what a PUT accepts (every field optional: a PUT changes only the
// fields sent; null clears an optional field), what the merged record must hold, which fields are
// secret (own envelope each, write-only) and which are phone numbers (encrypted, shown in full only
// to the tenant), and the view each provider's credentials are returned through.
import { z } from 'zod';
import { asSecret, secretFieldView } from '../common/secret-field.js';
import { e164, token, twilioSid } from './fields.js';
import type { CredentialInput } from './merge.js';
import { parseInput } from '../common/validation.js';

export const PROVIDERS = ['twilio', 'sendgrid', 'retell', 'exotel'] as const;
export type Provider = (typeof PROVIDERS)[number];

/** Exotel API hosts; any other host would receive the credentials, so it is refused. */
export const EXOTEL_SUBDOMAINS = ['api.exotel.com', 'api.in.exotel.com'] as const;

export interface ProviderSpec {
  provider: Provider;
  /** The PUT body's schema (its sealed fields parse into `Secret`s). */
  input: z.ZodObject;
  /** The same schema, typed as what it makes: the only maker of a CredentialInput. */
  body: z.ZodType<CredentialInput>;
  /**
   * Identity fields, each with the secrets that belong to it: changing the identity (another
   * account) while keeping a stored secret of the old one is refused, naming the secret.
   */
  identity: Readonly<Record<string, readonly string[]>>;
  /** Sealed, never returned (view: set / last4). */
  secretFields: readonly string[];
  /** Sealed phone numbers, returned in full to their own tenant only. */
  phoneFields: readonly string[];
  /** Stored and returned as they are. */
  publicFields: readonly string[];
  /** The merged record (field → value) must satisfy this; each issue names its field. */
  complete: z.ZodType;
  /** The masked view (no field can carry a secret). */
  view: z.ZodObject;
}

const clearable = <T extends z.ZodType>(s: T) => s.nullable().optional();
const credentialInput = <S extends z.ZodRawShape>(shape: S) => z.strictObject(shape);
const bodyOf = (spec: Omit<ProviderSpec, 'body'>): ProviderSpec => ({
  ...spec,
  // The brand is what the schema's parse makes; nothing else can produce a CredentialInput.
  body: spec.input as unknown as z.ZodType<CredentialInput>,
});
const meta = { updatedAt: z.string() };

const twilio = bodyOf({
  provider: 'twilio',
  input: credentialInput({
    accountSid: twilioSid('AC').optional(),
    authToken: clearable(
      asSecret(z.string().regex(/^[0-9a-fA-F]{32}$/, 'must be 32 hex digits')),
    ).describe('Auth token (or use apiKeySid + apiKeySecret). Write-only. null removes it.'),
    apiKeySid: clearable(twilioSid('SK')),
    apiKeySecret: clearable(asSecret(token('API key secret'))).describe(
      'Write-only. null removes it.',
    ),
    defaultFrom: clearable(asSecret(e164())).describe('Default caller id; encrypted at rest.'),
    twimlAppSid: clearable(twilioSid('AP')),
  }),
  identity: { accountSid: ['authToken', 'apiKeySecret'], apiKeySid: ['apiKeySecret'] },
  secretFields: ['authToken', 'apiKeySecret'],
  phoneFields: ['defaultFrom'],
  publicFields: ['accountSid', 'apiKeySid', 'twimlAppSid'],
  complete: z
    .object({
      accountSid: z.string({ error: 'is required' }),
      authToken: z.string().optional(),
      apiKeySid: z.string().optional(),
      apiKeySecret: z.string().optional(),
    })
    .superRefine((v, ctx) => {
      if (v.apiKeySid !== undefined && v.apiKeySecret === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['apiKeySecret'],
          message: 'is required with apiKeySid',
        });
      }
      if (v.apiKeySecret !== undefined && v.apiKeySid === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['apiKeySid'],
          message: 'is required with apiKeySecret',
        });
      }
      if (v.authToken === undefined && v.apiKeySid === undefined && v.apiKeySecret === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['authToken'],
          message: 'is required unless apiKeySid and apiKeySecret are set',
        });
      }
    }),
  view: z.object({
    provider: z.literal('twilio'),
    accountSid: z.string(),
    authToken: secretFieldView.optional(),
    apiKeySid: z.string().optional(),
    apiKeySecret: secretFieldView.optional(),
    defaultFrom: z.string().optional(),
    twimlAppSid: z.string().optional(),
    ...meta,
  }),
});

const sendgrid = bodyOf({
  provider: 'sendgrid',
  input: credentialInput({
    apiKey: asSecret(token('API key').startsWith('SG.', 'must start with "SG."'))
      .optional()
      .describe('Write-only.'),
    fromEmail: z.email('must be an email address').max(254).optional(),
  }),
  identity: {},
  secretFields: ['apiKey'],
  phoneFields: [],
  publicFields: ['fromEmail'],
  complete: z.object({
    apiKey: z.string({ error: 'is required' }),
    fromEmail: z.string({ error: 'is required' }),
  }),
  view: z.object({
    provider: z.literal('sendgrid'),
    apiKey: secretFieldView,
    fromEmail: z.string(),
    ...meta,
  }),
});

// Retell signs its webhooks with the API key marked for webhooks, which may not be the one used
// for calls: `webhookKey` is that key (absent: the webhooks are checked with `apiKey`).
const retell = bodyOf({
  provider: 'retell',
  input: credentialInput({
    apiKey: asSecret(token('API key')).optional().describe('Write-only.'),
    webhookKey: clearable(asSecret(token('webhook key'))).describe(
      'The API key Retell signs webhooks with, when not apiKey. Write-only. null removes it.',
    ),
  }),
  identity: {},
  secretFields: ['apiKey', 'webhookKey'],
  phoneFields: [],
  publicFields: [],
  complete: z.object({ apiKey: z.string({ error: 'is required' }) }),
  view: z.object({
    provider: z.literal('retell'),
    apiKey: secretFieldView,
    webhookKey: secretFieldView.optional(),
    ...meta,
  }),
});

const exotel = bodyOf({
  provider: 'exotel',
  input: credentialInput({
    apiKey: asSecret(token('API key')).optional().describe('Write-only.'),
    apiToken: asSecret(token('API token')).optional().describe('Write-only.'),
    sid: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1 to 64 of A-Z a-z 0-9 _ -')
      .optional(),
    subdomain: z
      .enum(EXOTEL_SUBDOMAINS, { error: `must be one of ${EXOTEL_SUBDOMAINS.join(', ')}` })
      .optional(),
  }),
  identity: { sid: ['apiKey', 'apiToken'], subdomain: ['apiKey', 'apiToken'] },
  secretFields: ['apiKey', 'apiToken'],
  phoneFields: [],
  publicFields: ['sid', 'subdomain'],
  complete: z.object({
    apiKey: z.string({ error: 'is required' }),
    apiToken: z.string({ error: 'is required' }),
    sid: z.string({ error: 'is required' }),
    subdomain: z.string({ error: 'is required' }),
  }),
  view: z.object({
    provider: z.literal('exotel'),
    apiKey: secretFieldView,
    apiToken: secretFieldView,
    sid: z.string(),
    subdomain: z.enum(EXOTEL_SUBDOMAINS),
    ...meta,
  }),
});

export const PROVIDER_SPECS: Readonly<Record<Provider, ProviderSpec>> = {
  twilio,
  sendgrid,
  retell,
  exotel,
};

export function isProvider(value: string): value is Provider {
  return (PROVIDERS as readonly string[]).includes(value);
}

/** The view of any provider's credentials (for the list route and the OpenAPI document). */
export const credentialView = z.discriminatedUnion('provider', [
  twilio.view,
  sendgrid.view,
  retell.view,
  exotel.view,
]);

/** Parses a provider's PUT body (the library's way in; the HTTP route parses with the same schema). */
export function parseCredentialInput(provider: Provider, body: unknown): CredentialInput {
  return parseInput(PROVIDER_SPECS[provider].body, body);
}
