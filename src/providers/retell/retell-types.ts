// The Retell client's inputs and secret-free outputs.
import type { ProviderCallEntry } from '../core/provider-call.js';
import type { Secret } from '../../crypto/index.js';

export interface RetellAgentWeight {
  agentId: string;
  weight: number;
  agentVersion?: number;
}

export interface RetellSipAuth {
  username: string;
  password: Secret<string>;
}

export interface RetellImportInput {
  /** E.164 (Retell's identifier for the number). */
  phoneNumber: string;
  /** The Twilio trunk's domain name, e.g. `acme-1a2b.pstn.twilio.com`. */
  terminationUri: string;
  sipAuth?: RetellSipAuth;
  transport?: 'TLS' | 'TCP' | 'UDP';
  nickname?: string;
  inboundAgents?: RetellAgentWeight[];
  outboundAgents?: RetellAgentWeight[];
  inboundWebhookUrl?: string;
}

/** Retell's update names the trunk fields without the `sip_trunk_` prefix; we hide that. */
export interface RetellUpdateInput {
  terminationUri?: string;
  sipAuth?: RetellSipAuth;
  transport?: 'TLS' | 'TCP' | 'UDP';
  nickname?: string | null;
  inboundAgents?: RetellAgentWeight[] | null;
  outboundAgents?: RetellAgentWeight[] | null;
  inboundWebhookUrl?: string | null;
}

/** A Retell number as Retell reports it; Retell never returns the SIP password. */
export interface RetellNumberView {
  phoneNumber: string;
  phoneNumberType: 'retell-twilio' | 'retell-telnyx' | 'custom';
  nickname: string | null;
  terminationUri: string | null;
  /** null or '' when the number has no outbound SIP auth (the "repair" case). */
  authUsername: string | null;
  transport: string | null;
  inboundAgents: RetellAgentWeight[];
  outboundAgents: RetellAgentWeight[];
  lastModifiedAt: Date;
}

/** One provider call, as the client reports it to its log hook: never a body or header. */
export type RetellCallLog = ProviderCallEntry<'retell'>;

export interface RetellClientOptions {
  mode: 'live' | 'sandbox';
  /** Base URL of the sandbox (e.g. `http://127.0.0.1:4010`); required in sandbox mode. */
  sandboxUrl?: string;
  /** Per-request timeout. Default 10 s. */
  timeoutMs?: number;
  /** Automatic retries for reads and deletes (the SDK's backoff). Writes never retry. Default 2. */
  readRetries?: number;
  log?: (entry: RetellCallLog) => void;
}

/** An outbound call (POST /v2/create-phone-call). */
export interface RetellPhoneCallInput {
  fromNumber: string;
  toNumber: string;
  /** Overrides the number's outbound agent. */
  agentId?: string;
  metadata?: Record<string, string>;
}

export interface RetellCallView {
  callId: string;
  /** registered, not_connected, ongoing, ended, error. */
  status: string;
  agentId: string;
}
