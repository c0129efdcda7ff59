// Per-tenant provider clients, built for one use from the tenant's stored credentials. Every
// build goes through `credentials.use`, so each decryption is audited with its operation; nothing
// is cached (a client holds decrypted secrets) and no SDK default export is touched.
// TELVAULT_PROVIDERS picks the hosts: `live` talks to the providers themselves, `sandbox` to the
// sandbox base URL (the one `telvault dev` mounts, or TELVAULT_SANDBOX_URL). Where the call cannot
// go (sandbox mode without a URL), nothing is decrypted.
import type { ProvidersMode } from '../../config.js';
import type { Secret, TenantId } from '../../crypto/index.js';
import { TelvaultError } from '../../errors.js';
import type { ProviderLogEntry } from '../../providers/core/provider-log.js';
import {
  createExotelClient,
  type ExotelCallLog,
  type ExotelClient,
  type ExotelCredentials,
} from '../../providers/exotel/index.js';
import { ProviderError, type ProviderName } from '../../providers/provider-error.js';
import {
  createRetellClient,
  type RetellCallLog,
  type RetellClient,
} from '../../providers/retell/index.js';
import {
  createSendgridClient,
  type SendgridCallLog,
  type SendgridClient,
} from '../../providers/sendgrid/index.js';
import {
  createTwilioClient,
  type TwilioClient,
  type TwilioClientOptions,
} from '../../providers/twilio/index.js';
import type { Actor } from '../audit/actor.js';
import type { CredentialService, CredentialsForUse } from './credential-service.js';
import type { PlatformCredentialService } from './platform-credential-service.js';

/** What a client reports about each exchange: provider, operation or target, status; no body. */
export type ProviderCallLog = ProviderLogEntry | RetellCallLog | ExotelCallLog | SendgridCallLog;

export interface ProviderClientsConfig {
  mode: ProvidersMode;
  /** Sandbox base URL (e.g. `http://127.0.0.1:4010`); required for calls in sandbox mode. */
  sandboxUrl?: string | undefined;
}

export interface ProviderClientsDeps extends ProviderClientsConfig {
  credentials: Pick<CredentialService, 'use'>;
  /** The platform's own credentials (platformTwilio); absent: no platform account to use. */
  platform?: Pick<PlatformCredentialService, 'use'> | undefined;
  log?: ((entry: ProviderCallLog) => void) | undefined;
}

/** Per-call tuning; `readRetries` applies to Retell reads (the other clients never retry). */
export interface ClientTuning {
  timeoutMs?: number;
  readRetries?: number;
}

/** Where provider calls go, for banners and logs. */
export interface ProviderTarget {
  mode: ProvidersMode;
  sandboxUrl: string | undefined;
}

function missing(provider: ProviderName, what: string): ProviderError {
  return new ProviderError('ERR_PROVIDER_NOT_CONFIGURED', {
    provider,
    operation: 'client.create',
    status: undefined,
    providerCode: undefined,
    retryable: false,
    reason: what,
  });
}

/** createTwilioClient reports unusable stored values as a plain TelvaultError: made typed here. */
function built<T>(provider: ProviderName, create: () => T): T {
  try {
    return create();
  } catch (err) {
    if (
      err instanceof TelvaultError &&
      !(err instanceof ProviderError) &&
      err.code === 'ERR_PROVIDER_NOT_CONFIGURED'
    ) {
      throw missing(provider, err.message);
    }
    throw err;
  }
}

type ForUse = Pick<CredentialsForUse, 'public' | 'secrets'>;

function publicField(c: ForUse, provider: ProviderName, field: string): string {
  const value = c.public[field];
  if (value === undefined || value === '') throw missing(provider, `"${field}" is not set`);
  return value;
}

function secretField(c: ForUse, provider: ProviderName, field: string): Secret<string> {
  const value = c.secrets[field];
  if (value === undefined) throw missing(provider, `"${field}" is not set`);
  return value;
}

/** A Twilio client from decrypted credentials: an API key is preferred when both are stored. */
function twilioFrom(c: ForUse, options: TwilioClientOptions): TwilioClient {
  const { authToken, apiKeySecret } = c.secrets;
  const apiKeySid = c.public['apiKeySid'];
  return built('twilio', () =>
    createTwilioClient(
      {
        accountSid: publicField(c, 'twilio', 'accountSid'),
        // An API key can be revoked on its own.
        ...(apiKeySid !== undefined && apiKeySecret !== undefined
          ? { apiKeySid, apiKeySecret }
          : authToken === undefined
            ? {}
            : { authToken }),
      },
      options,
    ),
  );
}

export function createProviderClients(deps: ProviderClientsDeps) {
  const { mode } = deps;
  const sandboxUrl = mode === 'sandbox' ? deps.sandboxUrl : undefined;
  const base = (provider: ProviderName, tuning: ClientTuning) => {
    if (mode === 'sandbox' && sandboxUrl === undefined) {
      throw missing(provider, 'sandbox mode needs a sandbox URL (TELVAULT_SANDBOX_URL)');
    }
    return {
      mode,
      ...(sandboxUrl === undefined ? {} : { sandboxUrl }),
      ...(tuning.timeoutMs === undefined ? {} : { timeoutMs: tuning.timeoutMs }),
      ...(deps.log === undefined ? {} : { log: deps.log }),
    };
  };
  const use = (tenantId: TenantId, provider: ProviderName, operation: string, actor: Actor) =>
    deps.credentials.use(tenantId, provider, operation, actor);

  return {
    target: { mode, sandboxUrl } satisfies ProviderTarget,

    /** Throws the typed ERR_PROVIDER_NOT_CONFIGURED when no call to `provider` can go out. */
    assertReachable(provider: ProviderName): void {
      base(provider, {});
    },

    /**
     * An Exotel client for credentials the caller decrypted itself and audited the use of (a
     * phone's own Exotel account), on the same hosts, allow-list and mode as every other client.
     */
    exotelWith(credentials: ExotelCredentials, tuning: ClientTuning = {}): ExotelClient {
      return createExotelClient(credentials, base('exotel', tuning));
    },

    async twilio(
      tenantId: TenantId,
      operation: string,
      actor: Actor,
      tuning: ClientTuning = {},
    ): Promise<TwilioClient> {
      const options = base('twilio', tuning);
      return twilioFrom(await use(tenantId, 'twilio', operation, actor), options);
    },

    /**
     * A Twilio client and the decrypted credentials it was made from (one audited use), for what
     * needs a field beside the client: the TwiML app, or the API key that signs access tokens.
     */
    async twilioWith(
      tenantId: TenantId,
      operation: string,
      actor: Actor,
      tuning: ClientTuning = {},
    ): Promise<{ client: TwilioClient; credentials: ForUse }> {
      const options = base('twilio', tuning);
      const credentials = await use(tenantId, 'twilio', operation, actor);
      return { client: twilioFrom(credentials, options), credentials };
    },

    /**
     * A Twilio client on the platform's own account (the parent of tenants' sub-accounts), on the
     * same hosts and mode as every other client. Its decryption is audited on the operator's
     * stream with `operation` and the tenant it is done for.
     */
    async platformTwilio(
      operation: string,
      actor: Actor,
      forTenant?: TenantId,
      tuning: ClientTuning = {},
    ): Promise<TwilioClient> {
      const options = base('twilio', tuning);
      if (deps.platform === undefined) throw missing('twilio', 'no platform credentials service');
      return twilioFrom(await deps.platform.use('twilio', operation, actor, forTenant), options);
    },

    async retell(
      tenantId: TenantId,
      operation: string,
      actor: Actor,
      tuning: ClientTuning = {},
    ): Promise<RetellClient> {
      const options = base('retell', tuning);
      const c = await use(tenantId, 'retell', operation, actor);
      return createRetellClient(secretField(c, 'retell', 'apiKey'), {
        ...options,
        ...(tuning.readRetries === undefined ? {} : { readRetries: tuning.readRetries }),
      });
    },

    async exotel(
      tenantId: TenantId,
      operation: string,
      actor: Actor,
      tuning: ClientTuning = {},
    ): Promise<ExotelClient> {
      const options = base('exotel', tuning);
      const c = await use(tenantId, 'exotel', operation, actor);
      // The host is the stored subdomain; the client refuses any host not on its allow-list.
      return createExotelClient(
        {
          accountSid: publicField(c, 'exotel', 'sid'),
          apiKey: secretField(c, 'exotel', 'apiKey').reveal(),
          apiToken: secretField(c, 'exotel', 'apiToken'),
          host: publicField(c, 'exotel', 'subdomain'),
        },
        options,
      );
    },

    async sendgrid(
      tenantId: TenantId,
      operation: string,
      actor: Actor,
      tuning: ClientTuning = {},
    ): Promise<SendgridClient> {
      const options = base('sendgrid', tuning);
      const c = await use(tenantId, 'sendgrid', operation, actor);
      const fromEmail = c.public['fromEmail'];
      return createSendgridClient(secretField(c, 'sendgrid', 'apiKey'), {
        ...options,
        ...(fromEmail === undefined ? {} : { fromEmail }),
      });
    },
  };
}

export type ProviderClients = ReturnType<typeof createProviderClients>;
