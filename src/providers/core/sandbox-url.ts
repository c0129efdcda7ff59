// Where a client sends its requests in sandbox mode. Refused before any request exists when no
// sandbox URL was given, so a sandbox-mode client can never fall back to the live provider.
import { ProviderError, type ProviderName } from '../provider-error.js';

/** The sandbox base URL without trailing slashes, e.g. `http://127.0.0.1:4010`. */
export function sandboxBaseUrl(provider: ProviderName, sandboxUrl: string | undefined): string {
  if (sandboxUrl === undefined || sandboxUrl === '') {
    throw new ProviderError('ERR_PROVIDER_NOT_CONFIGURED', {
      provider,
      operation: 'client.create',
      status: undefined,
      providerCode: undefined,
      retryable: false,
      reason: 'sandbox mode needs a sandbox URL',
    });
  }
  return sandboxUrl.replace(/\/+$/, '');
}
