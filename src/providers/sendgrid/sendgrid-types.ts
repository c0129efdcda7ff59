// The SendGrid client's inputs and log entries.
import type { ProviderCallEntry } from '../core/provider-call.js';

export type SendgridAddress = string | { email: string; name?: string };

interface SendgridEmailBase {
  to: SendgridAddress | SendgridAddress[];
  /** Must be a verified Sender Identity of the tenant's SendGrid account, or SendGrid answers 403. */
  from: SendgridAddress;
  subject: string;
  replyTo?: SendgridAddress;
}

/** A plain-text body, an HTML body, or both. */
export type SendgridEmailInput = SendgridEmailBase &
  ({ text: string; html?: string } | { text?: string; html: string });

/** One provider call, as the client reports it to its log hook: never a body or header. */
export type SendgridCallLog = ProviderCallEntry<'sendgrid'>;

export interface SendgridClientOptions {
  mode: 'live' | 'sandbox';
  /** Base URL of the sandbox (e.g. `http://127.0.0.1:4010`); required in sandbox mode. */
  sandboxUrl?: string;
  /** `eu` sends to https://api.eu.sendgrid.com (live mode only). Default `global`. */
  dataResidency?: 'global' | 'eu';
  /** The tenant's from address; verify reports whether SendGrid will send from it. */
  fromEmail?: string;
  /** Per-request timeout. Default 10 s. */
  timeoutMs?: number;
  log?: (entry: SendgridCallLog) => void;
}
