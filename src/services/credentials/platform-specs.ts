// The platform's own provider credentials: what a PUT of them accepts and how they are shown.
// Only Twilio so far (the parent account tenants' sub-accounts are made under). The fields and
// rules are the tenant's Twilio credentials' own (providers.ts), without what only a tenant's
// account has (a default caller id, a TwiML app): accountSid with an auth token, or an API key.
import type { z } from 'zod';
import type { CredentialInput } from './merge.js';
import { PROVIDER_SPECS, type ProviderSpec } from './providers.js';

export const PLATFORM_PROVIDERS = ['twilio'] as const;
export type PlatformProvider = (typeof PLATFORM_PROVIDERS)[number];

const twilio = PROVIDER_SPECS.twilio;
const fields = { accountSid: true, authToken: true, apiKeySid: true, apiKeySecret: true } as const;
const input = twilio.input.pick(fields);

const platformTwilio: ProviderSpec = {
  ...twilio,
  input,
  // The brand is what the schema's parse makes; nothing else can produce a CredentialInput.
  body: input as unknown as z.ZodType<CredentialInput>,
  phoneFields: [],
  publicFields: ['accountSid', 'apiKeySid'],
  view: twilio.view.pick({ ...fields, provider: true, updatedAt: true }),
};

export const PLATFORM_SPECS: Readonly<Record<PlatformProvider, ProviderSpec>> = {
  twilio: platformTwilio,
};
