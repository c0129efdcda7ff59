// Retell through the official retell-sdk, one client per tenant key. Writes are sent once
// (maxRetries: 0): the SDK would re-send a 409/5xx import, so callers retrieve before re-sending
// (providers.md §4, §9.8). Reads and deletes keep the SDK's retries.
import Retell from 'retell-sdk';
import type { Secret } from '../../crypto/index.js';
import { createProviderCall } from '../core/provider-call.js';
import { sandboxBaseUrl } from '../core/sandbox-url.js';
import { ProviderError } from '../provider-error.js';
import { toRetellProviderError } from './retell-errors.js';
import { importBody, toView, updateBody } from './retell-mapping.js';
import type {
  RetellCallView,
  RetellPhoneCallInput,
  RetellClientOptions,
  RetellImportInput,
  RetellNumberView,
  RetellUpdateInput,
} from './retell-types.js';

export const RETELL_LIVE_URL = 'https://api.retellai.com';
const WRITE = { maxRetries: 0 } as const;

export interface RetellClient {
  importNumber(input: RetellImportInput): Promise<RetellNumberView>;
  updateNumber(phoneNumber: string, input: RetellUpdateInput): Promise<RetellNumberView>;
  /** undefined when Retell does not know the number under this key (422, or 404). */
  getNumber(phoneNumber: string): Promise<RetellNumberView | undefined>;
  /** Every number, following `pagination_key` through all pages. */
  listNumbers(options?: { pageSize?: number }): Promise<RetellNumberView[]>;
  /** true when deleted, false when it was already absent. */
  deleteNumber(phoneNumber: string): Promise<boolean>;
  /** A cheap authenticated read; throws the typed error when the key does not work. */
  verify(): Promise<void>;
  /** Places an outbound call from an imported number (sent once: never retried by the SDK). */
  createPhoneCall(input: RetellPhoneCallInput): Promise<RetellCallView>;
  /** The calls from one number to another, oldest first (reconciliation). */
  findCalls(fromNumber: string, toNumber: string): Promise<RetellCallView[]>;
  /** A call by id (reconciliation), undefined when Retell does not know it. */
  getCall(callId: string): Promise<RetellCallView | undefined>;
}

export function createRetellClient(
  apiKey: Secret<string>,
  options: RetellClientOptions,
): RetellClient {
  const sdk = new Retell({
    apiKey: apiKey.reveal(),
    // Explicit in both modes, so RETELL_BASE_URL in the environment can never redirect a key.
    baseURL: retellBaseUrl(options),
    maxRetries: options.readRetries ?? 2,
    timeout: options.timeoutMs ?? 10_000,
    // SDK debug logs include request bodies (SIP passwords); RETELL_LOG must not turn them on.
    logLevel: 'off',
    // fetch would follow a 3xx to wherever it points (without the key, but verify would then
    // pass on a host that never saw it): the 3xx comes back as an error status instead.
    fetchOptions: { redirect: 'manual' },
  });
  const call = createProviderCall('retell', toRetellProviderError, options.log);
  const absent = (error: unknown): boolean =>
    error instanceof ProviderError && error.code === 'ERR_PROVIDER_NOT_FOUND';

  return {
    importNumber: (input) =>
      call('phoneNumber.import', async () =>
        toView(await sdk.phoneNumber.import(importBody(input), WRITE)),
      ),
    updateNumber: (phoneNumber, input) =>
      call('phoneNumber.update', async () =>
        toView(await sdk.phoneNumber.update(phoneNumber, updateBody(input), WRITE)),
      ),
    async getNumber(phoneNumber) {
      try {
        return await call('phoneNumber.retrieve', async () =>
          toView(await sdk.phoneNumber.retrieve(phoneNumber)),
        );
      } catch (error) {
        if (absent(error)) return undefined;
        throw error;
      }
    },
    listNumbers: (listOptions) =>
      call('phoneNumber.list', async () => {
        const limit = listOptions?.pageSize ?? 100;
        const all: RetellNumberView[] = [];
        let paginationKey: string | undefined;
        for (;;) {
          const page = await sdk.phoneNumber.list({
            limit,
            sort_order: 'ascending',
            ...(paginationKey === undefined ? {} : { pagination_key: paginationKey }),
          });
          all.push(...page.items.map(toView));
          if (!page.has_more || page.pagination_key === undefined) return all;
          if (page.pagination_key === paginationKey) throw new Error('retell: paging is stuck');
          paginationKey = page.pagination_key;
        }
      }),
    async deleteNumber(phoneNumber) {
      try {
        await call('phoneNumber.delete', () => sdk.phoneNumber.delete(phoneNumber));
        return true;
      } catch (error) {
        if (absent(error)) return false;
        throw error;
      }
    },
    verify: () => call('verify', async () => void (await sdk.phoneNumber.list({ limit: 1 }))),
    createPhoneCall: (input) =>
      call('call.createPhoneCall', async () => {
        const c = await sdk.call.createPhoneCall(
          {
            from_number: input.fromNumber,
            to_number: input.toNumber,
            ...(input.agentId === undefined ? {} : { override_agent_id: input.agentId }),
            ...(input.metadata === undefined ? {} : { metadata: input.metadata }),
          },
          WRITE,
        );
        return { callId: c.call_id, status: c.call_status, agentId: c.agent_id };
      }),
    findCalls: (fromNumber, toNumber) =>
      call('call.list', async () => {
        const page = await sdk.call.list({
          filter_criteria: {
            from_number: { op: 'eq', type: 'string', value: fromNumber },
            to_number: { op: 'eq', type: 'string', value: toNumber },
          },
          sort_order: 'ascending',
          limit: 100,
        });
        return page.items.map((c) => ({
          callId: c.call_id,
          status: c.call_status,
          agentId: c.agent_id,
        }));
      }),
    async getCall(callId) {
      try {
        return await call('call.retrieve', async () => {
          const c = await sdk.call.retrieve(callId);
          return { callId: c.call_id, status: c.call_status, agentId: c.agent_id };
        });
      } catch (error) {
        if (absent(error)) return undefined;
        throw error;
      }
    },
  };
}

export function retellBaseUrl(options: RetellClientOptions): string {
  if (options.mode === 'live') return RETELL_LIVE_URL;
  return `${sandboxBaseUrl('retell', options.sandboxUrl)}/retell`;
}
