// The Exotel client's inputs and secret-free outputs.
import type { ProviderCallEntry } from '../core/provider-call.js';
import type { Secret } from '../../crypto/index.js';

/** The phone's own Exotel credentials where it has them, else the tenant's. */
export interface ExotelCredentials {
  accountSid: string;
  apiKey: string;
  apiToken: Secret<string>;
  /** `api.exotel.com` or `api.in.exotel.com` (also `https://…` or the bare `api.in` prefix). */
  host: string;
}

export interface ExotelConnectInput {
  /** Dialled first (E.164 preferred). */
  from: string;
  /** The customer; optional when `url` connects `from` to a flow instead. */
  to?: string;
  /** The ExoPhone shown to both parties. */
  callerId: string;
  url?: string;
  statusCallback?: string;
  statusCallbackEvents?: ('terminal' | 'answered')[];
  /** Exotel posts multipart/form-data unless asked for JSON. */
  statusCallbackContentType?: 'application/json' | 'multipart/form-data';
  timeLimit?: number;
  timeOut?: number;
  customField?: string;
  record?: boolean;
}

export interface ExotelCallView {
  callSid: string;
  status: string;
  from: string | null;
  to: string | null;
  callerId: string | null;
  /** Exotel's `YYYY-MM-DD HH:mm:ss`, as sent. */
  dateCreated: string | null;
}

/** One provider call, as the client reports it to its log hook, with the host it went to. */
export type ExotelCallLog = ProviderCallEntry<'exotel'> & { host: string };

export interface ExotelClientOptions {
  mode: 'live' | 'sandbox';
  /** Base URL of the sandbox (e.g. `http://127.0.0.1:4010`); required in sandbox mode. */
  sandboxUrl?: string;
  /** Per-request timeout. Default 10 s. */
  timeoutMs?: number;
  log?: (entry: ExotelCallLog) => void;
}
