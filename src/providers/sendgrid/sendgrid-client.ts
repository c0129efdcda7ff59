// SendGrid through the official client, a new Client + MailService per tenant key: the packages'
// default exports are process-wide singletons, and setApiKey on them would mix tenants' keys
// (providers.md §6). In sandbox mode the base URL is set after setApiKey, which resets it.
import { Client } from '@sendgrid/client';
import type { ClientRequest } from '@sendgrid/client/src/request.js';
import { MailService, type MailDataRequired } from '@sendgrid/mail';
import type { Secret } from '../../crypto/index.js';
import { createProviderCall } from '../core/provider-call.js';
import { sandboxBaseUrl } from '../core/sandbox-url.js';
import { ProviderError } from '../provider-error.js';
import { toSendgridProviderError } from './sendgrid-errors.js';
import { readSenderStatus, type SendgridSenderStatus } from './sendgrid-senders.js';
import type { SendgridClientOptions, SendgridEmailInput } from './sendgrid-types.js';

export interface SendgridClient {
  /** The tenant's stored from address (the default sender), when set. */
  readonly fromEmail: string | undefined;
  /** Accepted for delivery (202); `messageId` is SendGrid's `X-Message-Id`. */
  sendEmail(input: SendgridEmailInput): Promise<{ messageId: string | undefined }>;
  /** The key's scopes (GET /v3/scopes), e.g. `mail.send`. */
  scopes(): Promise<string[]>;
  /**
   * A cheap authenticated read (GET /v3/scopes); throws the typed error when the key fails, and
   * ERR_PROVIDER_FORBIDDEN (not retryable) when the key works but may not send mail. Then what
   * SendGrid makes of `options.fromEmail` as a sender (`unknown` when no fromEmail was given).
   */
  verify(): Promise<{ sender: SendgridSenderStatus }>;
}

export function createSendgridClient(
  apiKey: Secret<string>,
  options: SendgridClientOptions,
): SendgridClient {
  const client = new Client();
  if (options.dataResidency === 'eu') client.setDataResidency('eu');
  client.setApiKey(apiKey.reveal());
  // axios follows redirects by default (dropping the key, but a 3xx'd read would then "pass"):
  // maxRedirects 0 hands the 3xx back as an error (ERR_PROVIDER_REDIRECTED).
  const defaults: Record<string, unknown> = {
    timeout: options.timeoutMs ?? 10_000,
    maxRedirects: 0,
  };
  if (options.mode === 'sandbox') {
    // After setApiKey, which resets baseUrl to the region host. No proxy for a local sandbox.
    Object.assign(defaults, {
      baseUrl: `${sandboxBaseUrl('sendgrid', options.sandboxUrl)}/sendgrid/`,
      proxy: false,
    });
  }
  client.setDefaultRequest(defaults as unknown as ClientRequest);
  const mail = new MailService();
  mail.setClient(client);

  const call = createProviderCall('sendgrid', toSendgridProviderError, options.log);

  return {
    fromEmail: options.fromEmail,
    sendEmail: (input) =>
      call('mail.send', async () => {
        const [response] = await mail.send(mailData(input));
        const id: unknown = (response.headers as Record<string, unknown>)['x-message-id'];
        return { messageId: typeof id === 'string' ? id : undefined };
      }),
    scopes: () => call('scopes.read', () => readScopes(client, 'scopes.read')),
    verify: () =>
      call('verify', async () => {
        if (!(await readScopes(client, 'verify')).includes(SEND_SCOPE)) {
          throw new ProviderError('ERR_PROVIDER_FORBIDDEN', {
            provider: 'sendgrid',
            operation: 'verify',
            status: undefined,
            providerCode: undefined,
            retryable: false,
            reason: `the key lacks the ${SEND_SCOPE} scope`,
          });
        }
        const { fromEmail } = options;
        return {
          sender:
            fromEmail === undefined
              ? 'unknown'
              : await readSenderStatus(client, fromEmail, 'verify'),
        };
      }),
  };
}

/** The scope telvault needs a SendGrid key for: sending mail. */
const SEND_SCOPE = 'mail.send';

async function readScopes(client: Client, operation: string): Promise<string[]> {
  const [response] = await client.request({ method: 'GET', url: '/v3/scopes' });
  const scopes: unknown = (response.body as { scopes?: unknown } | undefined)?.scopes;
  if (!Array.isArray(scopes) || !scopes.every((s) => typeof s === 'string')) {
    // A 2xx we cannot read: nothing to say about the key, and asking again will not help.
    throw new ProviderError('ERR_PROVIDER_UNAVAILABLE', {
      provider: 'sendgrid',
      operation,
      status: response.statusCode,
      providerCode: undefined,
      retryable: false,
    });
  }
  return scopes;
}

function mailData(input: SendgridEmailInput): MailDataRequired {
  const base = {
    to: input.to,
    from: input.from,
    subject: input.subject,
    ...(input.replyTo === undefined ? {} : { replyTo: input.replyTo }),
  };
  if (input.html !== undefined) {
    return { ...base, html: input.html, ...(input.text === undefined ? {} : { text: input.text }) };
  }
  return { ...base, text: input.text ?? '' };
}
