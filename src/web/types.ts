// The API's views as the console reads them. Written by hand from /openapi.json: the console
// imports nothing from the server (eslint.layers.js), and the server shapes every answer through
// its response schema, so these describe what arrives.

export type Scope =
  | 'credentials:write'
  | 'credentials:read'
  | 'secrets:write'
  | 'secrets:read'
  | 'secrets:reveal'
  | 'phones:write'
  | 'phones:read'
  | 'calls:create'
  | 'messages:send'
  | 'trunks:manage'
  | 'audit:read'
  | 'tokens:manage'
  | 'settings:manage'
  | 'activity:read'
  | 'webhooks:verify'
  | 'keys:read';

/** GET /v1/token: who the presented token is (never the token). */
export type WhoAmI =
  | { kind: 'root' }
  | {
      kind: 'tenant';
      tenantId: string;
      tenantName: string;
      tenantExternalId?: string | null;
      tokenId: string;
      tokenName?: string;
      scopes: Scope[];
      expiresAt: string | null;
    };

/** A write-only secret as the API shows it. */
export interface SecretView {
  set: true;
  last4?: string;
}

export interface Tenant {
  id: string;
  name: string;
  externalId: string | null;
  createdAt: string;
}

export interface Token {
  id: string;
  name: string;
  prefix: string;
  scopes: Scope[];
  createdBy: string;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

export interface CreatedToken extends Token {
  token: string;
}

export type Provider = 'twilio' | 'sendgrid' | 'retell' | 'exotel';

export interface TwilioCredentials {
  provider: 'twilio';
  accountSid: string;
  authToken?: SecretView;
  apiKeySid?: string;
  apiKeySecret?: SecretView;
  defaultFrom?: string;
  twimlAppSid?: string;
  updatedAt: string;
}
export interface SendgridCredentials {
  provider: 'sendgrid';
  apiKey: SecretView;
  fromEmail: string;
  updatedAt: string;
}
export interface RetellCredentials {
  provider: 'retell';
  apiKey: SecretView;
  webhookKey?: SecretView;
  updatedAt: string;
}
export interface ExotelCredentials {
  provider: 'exotel';
  apiKey: SecretView;
  apiToken: SecretView;
  sid: string;
  subdomain: ExotelSubdomain;
  updatedAt: string;
}
export type Credentials =
  TwilioCredentials | SendgridCredentials | RetellCredentials | ExotelCredentials;

export type ExotelSubdomain = 'api.exotel.com' | 'api.in.exotel.com';
export const EXOTEL_SUBDOMAINS: readonly ExotelSubdomain[] = [
  'api.exotel.com',
  'api.in.exotel.com',
];

export interface ProviderError {
  code: string;
  message: string;
  status?: number;
  providerCode?: string | number;
  retryable: boolean;
}

export interface VerifyResult {
  provider?: Provider;
  ok: boolean;
  sender?: 'verified' | 'unverified' | 'unknown';
  error?: ProviderError;
}

export type PhoneProvider = 'exotel' | 'twilio' | 'retell';

export interface Phone {
  id: string;
  number: string;
  country: string;
  numberType: string;
  label: string | null;
  tags: string[];
  provider: PhoneProvider;
  exotel: {
    sid: string;
    subdomain: ExotelSubdomain;
    flowUrl: string | null;
    apiKey: SecretView;
    apiToken: SecretView;
  } | null;
  retell: { inboundAgentId: string | null; outboundAgentId: string | null; synced: boolean };
  twilio: { sid: string; onTrunk: boolean } | null;
  createdAt: string;
  updatedAt: string;
}

export type TrunkStepName =
  'trunk' | 'credentialList' | 'credential' | 'association' | 'origination';
export interface TrunkError {
  code: string;
  providerCode: string | number | null;
  status: number | null;
}
export interface Trunk {
  state: 'provisioning' | 'ready' | 'failed' | 'imported';
  twilioAccountSid: string;
  trunkSid: string | null;
  domainName: string | null;
  terminationUri: string | null;
  credentialList: { sid: string; origin: 'created' | 'adopted' } | null;
  credential: {
    sid: string;
    origin: 'created' | 'adopted';
    username: string;
    password: { set: true };
  } | null;
  originationUrls: { sid: string; sipUrl: string; origin: 'created' | 'adopted' }[];
  steps: {
    name: TrunkStepName;
    status: 'pending' | 'intent' | 'done' | 'failed';
    at: string | null;
    sid?: string;
    origin?: 'created' | 'adopted';
    error?: TrunkError;
  }[];
  failedStep: TrunkStepName | null;
  error: TrunkError | null;
  numbers: number;
  notes: string[];
  drift?: { resource: string; problem: string }[];
}

export interface Job {
  id: string;
  kind: string;
  state: 'pending' | 'running' | 'done' | 'failed';
  progress: { done: number; total: number };
  result?: unknown;
  error: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface RepairResult {
  total: number;
  fixed: number;
  alreadyOk: number;
  failed: number;
  dryRun: boolean;
  results: {
    phoneNumber: string;
    action: 'fixed' | 'ok' | 'failed' | 'would-fix';
    authUsername?: string;
    reason?: string;
  }[];
}

export interface ActivityError {
  code: string;
  status?: number;
  providerCode?: string | number;
  retryable: boolean;
}
interface ActivityBase {
  id: string;
  providerId: string | null;
  status: string;
  error: ActivityError | null;
  createdAt: string;
  updatedAt: string;
}
export interface Call extends ActivityBase {
  provider: PhoneProvider;
  phoneId: string | null;
  to: string;
  agentId: string | null;
}
export interface Message extends ActivityBase {
  provider: 'twilio';
  phoneId: string | null;
  to: string;
  body?: string;
}
export interface Email extends ActivityBase {
  provider: 'sendgrid';
  to: string[];
  from?: string;
  subject?: string;
}

export interface AuditEvent {
  id: string;
  seq: number;
  at: string;
  actor: string;
  action: string;
  target: string;
  outcome: string;
  detail: Record<string, unknown> | null;
  hash: string;
  prevHash: string;
}

export interface KeyVersion {
  version: number;
  state: 'primary' | 'decrypt-only' | 'retired';
  rows: number;
  masterKeyId: string;
  masterKeyProvider: 'local' | 'pkcs11' | 'unknown';
  createdAt: string;
  updatedAt: string;
}

export interface KeyRotation {
  jobId: string;
  kind: 'data' | 'index';
  state: 'pending' | 'running' | 'done' | 'failed';
  done: number;
  total: number;
  toVersion: number | null;
  active: boolean;
  startedAt: string;
  updatedAt: string;
  error: string | null;
}

export interface TenantKeys {
  tenantId: string;
  dataKeys: KeyVersion[];
  indexKeys: KeyVersion[];
  rotation: KeyRotation | null;
}

export interface AuditVerification {
  ok: boolean;
  tenantId: string | null;
  events: number;
  checkedAt: string;
  problem: { seq: number; eventId: string | null; reason: string } | null;
}

/** A named secret, masked (its value only through POST …/reveal). */
export interface NamedSecret {
  name: string;
  value: SecretView;
  createdAt: string;
  updatedAt: string;
}

export interface LimitWindow {
  points: number;
  windowSeconds: number;
}
export interface KindLimits {
  perCaller: LimitWindow;
  perDestination: LimitWindow[];
}
export type LimitKind = 'calls' | 'messages';

export interface TenantSettings {
  defaultCountry: string | null;
  allowedNumberTypes: string[];
  limits: Record<LimitKind, KindLimits>;
  exotelFallbackToTenant: boolean;
  allowedDestinationCountries: string[] | null;
  updatedAt: string | null;
}
