// The records the Twilio emulator keeps. Secrets are checked against digests (PasswordHash); the
// auth tokens are also kept in memory, wrapped in Secret, to sign status callbacks as Twilio does.

import type { Secret } from '../../crypto/index.js';
import type { PasswordHash } from '../core/secret-hash.js';

export type { PasswordHash };

export interface TwilioAccount {
  sid: string;
  friendlyName: string;
  parentSid: string | undefined;
  authToken: PasswordHash;
  /**
   * The token account answers show as `auth_token`, as Twilio shows every account's. Kept (in
   * memory, sandbox only) for subaccounts made with POST /Accounts.json alone: seeded and
   * admin-made accounts show null, so tests can still prove their tokens are never served.
   */
  shownToken: Secret | undefined;
  /**
   * The auth token, to sign the status callbacks of this account's calls and messages
   * (X-Twilio-Signature is an HMAC under the account's auth token). Never served nor dumped.
   */
  signingToken: Secret;
  dateCreated: Date;
  dateUpdated: Date;
}

export interface TwilioApiKey {
  sid: string;
  accountSid: string;
  secret: PasswordHash;
  dateCreated: Date;
}

export interface SipCredential {
  sid: string;
  accountSid: string;
  credentialListSid: string;
  username: string;
  password: PasswordHash;
  dateCreated: Date;
  dateUpdated: Date;
}

export interface SipCredentialList {
  sid: string;
  accountSid: string;
  friendlyName: string;
  dateCreated: Date;
  dateUpdated: Date;
  credentials: Map<string, SipCredential>;
}

export interface IpAccessControlList {
  sid: string;
  accountSid: string;
  friendlyName: string;
  dateCreated: Date;
  dateUpdated: Date;
}

export interface OriginationUrl {
  sid: string;
  accountSid: string;
  trunkSid: string;
  weight: number;
  priority: number;
  enabled: boolean;
  sipUrl: string;
  friendlyName: string;
  dateCreated: Date;
  dateUpdated: Date;
}

export interface Trunk {
  sid: string;
  accountSid: string;
  friendlyName: string | null;
  domainName: string | null;
  disasterRecoveryUrl: string | null;
  disasterRecoveryMethod: string | null;
  transferMode: string;
  transferCallerId: string;
  secure: boolean;
  cnamLookupEnabled: boolean;
  symmetricRtpEnabled: boolean;
  dateCreated: Date;
  dateUpdated: Date;
  /** Associated credential lists: CL sid → when the association was made. */
  credentialLists: Map<string, Date>;
  ipAccessControlLists: Map<string, Date>;
  originationUrls: Map<string, OriginationUrl>;
}

export interface IncomingNumber {
  sid: string;
  accountSid: string;
  phoneNumber: string;
  friendlyName: string;
  /** A number belongs to at most one trunk; both attach paths write this one field. */
  trunkSid: string | null;
  voiceUrl: string | null;
  voiceMethod: string;
  smsUrl: string | null;
  smsMethod: string;
  statusCallback: string | null;
  dateCreated: Date;
  dateUpdated: Date;
}

/** Where a status callback goes (the request's StatusCallback and, for calls, its options). */
export interface StatusCallbackTarget {
  url: string;
  method: 'GET' | 'POST';
  /** Calls: the StatusCallbackEvent values (default `completed`); messages: every change. */
  events: readonly string[];
  /** SequenceNumber of the next call callback (Twilio counts from 0). */
  sent: number;
}

export interface TwilioMessage {
  sid: string;
  accountSid: string;
  to: string;
  from: string | null;
  messagingServiceSid: string | null;
  body: string;
  numMedia: number;
  status: MessageStatus;
  errorCode: number | null;
  statusCallback: StatusCallbackTarget | null;
  dateCreated: Date;
  dateUpdated: Date;
  dateSent: Date | null;
}

export type MessageStatus = 'queued' | 'sending' | 'sent' | 'delivered' | 'undelivered' | 'failed';

export type CallStatus =
  | 'queued'
  | 'initiated'
  | 'ringing'
  | 'in-progress'
  | 'completed'
  | 'busy'
  | 'failed'
  | 'no-answer'
  | 'canceled';

export interface TwilioCall {
  sid: string;
  accountSid: string;
  to: string;
  from: string;
  phoneNumberSid: string | null;
  trunkSid: string | null;
  status: CallStatus;
  statusCallback: StatusCallbackTarget | null;
  dateCreated: Date;
  dateUpdated: Date;
  startTime: Date | null;
  endTime: Date | null;
}

/** An error the emulator answers with; the [U] ones are configurable (providers.md §10). */
export interface TwilioErrorSpec {
  status: number;
  code: number;
}

export interface TwilioSandboxConfig {
  domainTaken: TwilioErrorSpec;
  weakPassword: TwilioErrorSpec;
  duplicateUsername: TwilioErrorSpec;
  duplicateCredentialListAssociation: TwilioErrorSpec;
  duplicateIpAccessControlListAssociation: TwilioErrorSpec;
  duplicatePhoneNumberAssociation: TwilioErrorSpec;
  phoneNumberOnAnotherTrunk: TwilioErrorSpec;
  credentialListCap: TwilioErrorSpec;
  credentialCap: TwilioErrorSpec;
  /** POST /Accounts.json authenticated as a subaccount: only a main account makes subaccounts. */
  subaccountCreate: TwilioErrorSpec;
  /** Deleted trunk domains stay taken (Twilio: up to 30 days). */
  quarantineDeletedDomains: boolean;
  /** Messages and calls need a `From` number the account owns (21606 / 21210). */
  requireOwnedFrom: boolean;
}

/**
 * Defaults. 21248 is documented (support article); every other code here is a placeholder of
 * ours for an error whose real code is unknown (providers.md §1.9, §10) — change them with
 * POST /__sandbox/twilio/config; the product must not depend on them.
 */
export function defaultTwilioConfig(): TwilioSandboxConfig {
  return {
    domainTaken: { status: 400, code: 21248 },
    weakPassword: { status: 400, code: 20001 },
    duplicateUsername: { status: 400, code: 21450 },
    duplicateCredentialListAssociation: { status: 400, code: 21246 },
    duplicateIpAccessControlListAssociation: { status: 400, code: 21247 },
    duplicatePhoneNumberAssociation: { status: 400, code: 21249 },
    phoneNumberOnAnotherTrunk: { status: 400, code: 21250 },
    credentialListCap: { status: 400, code: 21251 },
    credentialCap: { status: 400, code: 21252 },
    subaccountCreate: { status: 403, code: 20403 },
    quarantineDeletedDomains: true,
    requireOwnedFrom: true,
  };
}
