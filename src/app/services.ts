// Builds every service over one database and key service: what the server, the CLI and a platform
// embedding telvault as a library all use.
import type { Database, DialectName } from '../store/database.js';
import type { KeyService } from '../services/keys/index.js';
import { createAuditService } from '../services/audit/index.js';
import { createCredentialService } from '../services/credentials/index.js';
import { createCredentialVerifyService } from '../services/credentials/index.js';
import { createPlatformCredentialService } from '../services/credentials/index.js';
import { createDeploymentCipher, createTenantKeyRotations } from '../services/keys/index.js';
import { createSubaccountService } from '../services/subaccounts/index.js';
import type { EnvOverride } from '../services/credentials/index.js';
import {
  createProviderClients,
  type ProviderClientsConfig,
  type ProviderCallLog,
} from '../services/credentials/index.js';
import { createPhoneProviders, createPhoneService } from '../services/phones/index.js';
import { createSecretService } from '../services/secrets/index.js';
import { createIdempotencyService } from '../services/idempotency/index.js';
import { createTenantService } from '../services/tenants/index.js';
import { createTokenService } from '../services/tokens/index.js';
import { createTrunkService, type TrunkTimingInput } from '../services/trunks/index.js';
import { createEncryptedRecords } from '../services/records/index.js';
import { createSettingsService, createTenantAdmin } from '../services/tenants/index.js';
import { createActivityRecords, createActivityService } from '../services/activity/index.js';
import {
  createCallReconciler,
  createCallService,
  createVoiceTokenService,
} from '../services/calls/index.js';
import { createEmailService } from '../services/emails/index.js';
import { createMessageService } from '../services/messages/index.js';
import { createHookUrls, createWebhookService } from '../services/webhooks/index.js';
import { createLogger, type Logger } from '../services/common/index.js';
import {
  createLimiterFactory,
  createOutboundLimits,
  createWebhookFailureBudget,
  type LimiterFactory,
} from '../services/limits/index.js';

export interface ServicesInput {
  db: Database;
  dialect: DialectName;
  keys: KeyService;
  rootTokenHash: Buffer | undefined;
  override?: EnvOverride | undefined;
  /** Where provider clients send requests (default: the live providers). */
  providers?: ProviderClientsConfig | undefined;
  /** Receives each provider exchange (method, target, status, duration; never a body). */
  providerLog?: ((entry: ProviderCallLog) => void) | undefined;
  /** How long an Idempotency-Key's holder keeps it without renewal. */
  idempotencyLeaseMs?: number | undefined;
  /** The trunk workflow's lease and wait, and where inbound calls go. */
  trunks?: { timing?: TrunkTimingInput; originationUri?: string | undefined } | undefined;
  /** The origin providers post status callbacks to, read per call (none: no callbacks). */
  publicUrl?: (() => string | undefined) | undefined;
  /** The rate limiters' store (default: memory, one process). */
  limiters?: LimiterFactory | undefined;
  /** Where the services' own warnings go (default: nowhere). */
  logger?: Logger | undefined;
}

export function createServices(input: ServicesInput) {
  const { db, keys } = input;
  const audit = createAuditService({ db, masterKeys: keys.masterKeys });
  const tokens = createTokenService({ db, audit, rootTokenHash: input.rootTokenHash });
  const tenants = createTenantAdmin(createTenantService({ db, keys }), audit, tokens);
  const records = createEncryptedRecords({ db, keys, audit });
  const credentials = createCredentialService({ records, audit, override: input.override });
  const platformCredentials = createPlatformCredentialService({
    db,
    cipher: createDeploymentCipher({ db, masterKeys: keys.masterKeys }),
    audit,
  });
  const providers = createProviderClients({
    ...(input.providers ?? { mode: 'live' }),
    credentials,
    platform: platformCredentials,
    log: input.providerLog,
  });
  const settings = createSettingsService({ db, audit });
  const logger = input.logger ?? createLogger({ level: 'silent' });
  const limiters = input.limiters ?? createLimiterFactory({ logger });
  const outboundLimits = createOutboundLimits({
    limiters,
    keys,
    settings,
    audit,
    logger,
  });
  const phones = createPhoneService({
    records,
    settings,
    providers: createPhoneProviders({ records, clients: providers, audit }),
  });
  const idempotency = createIdempotencyService({
    db,
    records,
    keys,
    ...(input.idempotencyLeaseMs === undefined ? {} : { leaseMs: input.idempotencyLeaseMs }),
  });
  const activityRecords = createActivityRecords(records);
  const activity = createActivityService(records);
  const hooks = createHookUrls(input.publicUrl ?? (() => undefined));
  const comms = {
    limits: outboundLimits,
    activity: activityRecords,
    reads: activity,
    idempotency,
    hooks,
  };
  return {
    audit,
    /** The one encrypted-record path (an import commits a chunk's writes as one batch). */
    records,
    tenants,
    tokens,
    credentials,
    platformCredentials,
    providers,
    subaccounts: createSubaccountService({
      db,
      clients: providers,
      credentials,
      audit,
      tenantExists: (id) => tenants.exists(id),
    }),
    credentialChecks: createCredentialVerifyService({ clients: providers, audit }),
    secrets: createSecretService({ records, audit }),
    settings,
    outboundLimits,
    phones,
    idempotency,
    trunks: createTrunkService({
      db,
      records,
      clients: providers,
      audit,
      phones,
      idempotency,
      timing: input.trunks?.timing,
      originationUri: input.trunks?.originationUri,
    }),
    activity,
    calls: createCallService({ ...comms, clients: providers, phones, settings }),
    callReconciler: createCallReconciler({
      records,
      activity: activityRecords,
      reads: activity,
      clients: providers,
      phones,
    }),
    voiceTokens: createVoiceTokenService({ credentials, audit }),
    messages: createMessageService({
      ...comms,
      clients: providers,
      phones,
      settings,
    }),
    emails: createEmailService({ ...comms, clients: providers }),
    webhooks: createWebhookService({
      credentials,
      activity: activityRecords,
      audit,
      budget: createWebhookFailureBudget({ limiters, keys, logger }),
      logger,
    }),
    hooks,
    keys,
    keyRotations: createTenantKeyRotations({ db, keys, audit, logger }),
  };
}

export type Services = ReturnType<typeof createServices>;
