// v2010 JSON views (RFC 2822 dates, relative `uri`s), as in the spec's response schemas.
import { rfc2822 } from './twilio-format.js';
import type {
  IncomingNumber,
  IpAccessControlList,
  SipCredential,
  SipCredentialList,
  TwilioAccount,
  TwilioCall,
  TwilioMessage,
} from './twilio-model.js';
import { callDuration } from './twilio-status-callback.js';

export const accountPath = (ac: string) => `/2010-04-01/Accounts/${ac}`;

/** The account's `subresource_uris`, as in the spec's example (most are not emulated). */
const ACCOUNT_SUBRESOURCES = [
  ['available_phone_numbers', 'AvailablePhoneNumbers'],
  ['calls', 'Calls'],
  ['conferences', 'Conferences'],
  ['incoming_phone_numbers', 'IncomingPhoneNumbers'],
  ['notifications', 'Notifications'],
  ['outgoing_caller_ids', 'OutgoingCallerIds'],
  ['recordings', 'Recordings'],
  ['transcriptions', 'Transcriptions'],
  ['addresses', 'Addresses'],
  ['signing_keys', 'SigningKeys'],
  ['connect_apps', 'ConnectApps'],
  ['sip', 'SIP'],
  ['authorized_connect_apps', 'AuthorizedConnectApps'],
  ['usage', 'Usage'],
  ['keys', 'Keys'],
  ['applications', 'Applications'],
  ['short_codes', 'SMS/ShortCodes'],
  ['queues', 'Queues'],
  ['messages', 'Messages'],
  ['balance', 'Balance'],
] as const;

export function accountView(a: TwilioAccount): Record<string, unknown> {
  const base = accountPath(a.sid);
  return {
    // Twilio shows the token; the sandbox only for API-made subaccounts (twilio-model.ts).
    auth_token: a.shownToken?.reveal() ?? null,
    date_created: rfc2822(a.dateCreated),
    date_updated: rfc2822(a.dateUpdated),
    friendly_name: a.friendlyName,
    owner_account_sid: a.parentSid ?? a.sid,
    sid: a.sid,
    status: 'active',
    subresource_uris: Object.fromEntries(
      ACCOUNT_SUBRESOURCES.map(([key, path]) => [key, `${base}/${path}.json`]),
    ),
    type: 'Full',
    uri: `${base}.json`,
  };
}

export const credentialListPath = (l: { accountSid: string; sid: string }) =>
  `${accountPath(l.accountSid)}/SIP/CredentialLists/${l.sid}`;

export function credentialListView(l: SipCredentialList): Record<string, unknown> {
  return {
    account_sid: l.accountSid,
    date_created: rfc2822(l.dateCreated),
    date_updated: rfc2822(l.dateUpdated),
    friendly_name: l.friendlyName,
    sid: l.sid,
    subresource_uris: { credentials: `${credentialListPath(l)}/Credentials.json` },
    uri: `${credentialListPath(l)}.json`,
  };
}

/** Never a password: the schema has none, and the SDK instance has no such key. */
export function credentialView(c: SipCredential): Record<string, unknown> {
  return {
    sid: c.sid,
    account_sid: c.accountSid,
    credential_list_sid: c.credentialListSid,
    username: c.username,
    date_created: rfc2822(c.dateCreated),
    date_updated: rfc2822(c.dateUpdated),
    uri: `${credentialListPath({ accountSid: c.accountSid, sid: c.credentialListSid })}/Credentials/${c.sid}.json`,
  };
}

export function ipAccessControlListView(l: IpAccessControlList): Record<string, unknown> {
  const path = `${accountPath(l.accountSid)}/SIP/IpAccessControlLists/${l.sid}`;
  return {
    sid: l.sid,
    account_sid: l.accountSid,
    friendly_name: l.friendlyName,
    date_created: rfc2822(l.dateCreated),
    date_updated: rfc2822(l.dateUpdated),
    subresource_uris: { ip_addresses: `${path}/IpAddresses.json` },
    uri: `${path}.json`,
  };
}

export const capabilities = { voice: true, sms: true, mms: true, fax: false };

/** What a number's v2010 and trunking v1 views share: its identity and its voice/SMS routing. */
export function numberFields(n: IncomingNumber): Record<string, unknown> {
  return {
    account_sid: n.accountSid,
    address_requirements: 'none',
    api_version: '2010-04-01',
    beta: false,
    capabilities,
    friendly_name: n.friendlyName,
    phone_number: n.phoneNumber,
    sid: n.sid,
    sms_application_sid: null,
    sms_fallback_method: 'POST',
    sms_fallback_url: null,
    sms_method: n.smsMethod,
    sms_url: n.smsUrl,
    status_callback: n.statusCallback,
    status_callback_method: 'POST',
    trunk_sid: n.trunkSid,
    voice_application_sid: null,
    voice_caller_id_lookup: false,
    voice_fallback_method: 'POST',
    voice_fallback_url: null,
    voice_method: n.voiceMethod,
    voice_url: n.voiceUrl,
  };
}

export function incomingNumberView(n: IncomingNumber): Record<string, unknown> {
  return {
    ...numberFields(n),
    address_sid: null,
    date_created: rfc2822(n.dateCreated),
    date_updated: rfc2822(n.dateUpdated),
    identity_sid: null,
    origin: 'twilio',
    uri: `${accountPath(n.accountSid)}/IncomingPhoneNumbers/${n.sid}.json`,
    voice_receive_mode: 'voice',
    emergency_status: 'Inactive',
    emergency_address_sid: null,
    emergency_address_status: 'unregistered',
    bundle_sid: null,
    status: 'in-use',
    type: 'local',
  };
}

export function messageView(m: TwilioMessage): Record<string, unknown> {
  const uri = `${accountPath(m.accountSid)}/Messages/${m.sid}`;
  return {
    account_sid: m.accountSid,
    api_version: '2010-04-01',
    body: m.body,
    date_created: rfc2822(m.dateCreated),
    date_sent: m.dateSent === null ? null : rfc2822(m.dateSent),
    date_updated: rfc2822(m.dateUpdated),
    direction: 'outbound-api',
    error_code: m.errorCode,
    error_message: null,
    from: m.from,
    messaging_service_sid: m.messagingServiceSid,
    num_media: String(m.numMedia),
    num_segments: String(Math.max(1, Math.ceil(m.body.length / 160))),
    price: null,
    price_unit: 'USD',
    sid: m.sid,
    status: m.status,
    subresource_uris: { media: `${uri}/Media.json` },
    to: m.to,
    uri: `${uri}.json`,
  };
}

export function callView(c: TwilioCall): Record<string, unknown> {
  const uri = `${accountPath(c.accountSid)}/Calls/${c.sid}`;
  return {
    sid: c.sid,
    date_created: rfc2822(c.dateCreated),
    date_updated: rfc2822(c.dateUpdated),
    parent_call_sid: null,
    account_sid: c.accountSid,
    to: c.to,
    to_formatted: c.to,
    from: c.from,
    from_formatted: c.from,
    phone_number_sid: c.phoneNumberSid,
    status: c.status,
    start_time: c.startTime === null ? null : rfc2822(c.startTime),
    end_time: c.endTime === null ? null : rfc2822(c.endTime),
    duration: c.endTime === null ? null : String(callDuration(c)),
    price: null,
    price_unit: 'USD',
    direction: 'outbound-api',
    answered_by: null,
    api_version: '2010-04-01',
    forwarded_from: null,
    group_sid: null,
    caller_name: null,
    queue_time: '0',
    trunk_sid: c.trunkSid,
    uri: `${uri}.json`,
    subresource_uris: {
      notifications: `${uri}/Notifications.json`,
      recordings: `${uri}/Recordings.json`,
    },
  };
}
