// trunking v1 JSON views (ISO-8601 dates, absolute canonical `url`s and `links`).
import { TRUNKING_BASE, iso8601 } from './twilio-format.js';
import type { IncomingNumber, OriginationUrl, Trunk } from './twilio-model.js';
import { numberFields } from './twilio-views-v2010.js';

export const trunkUrl = (sid: string) => `${TRUNKING_BASE}/v1/Trunks/${sid}`;

/** `auth_type_set` reflects the mapped auth: credential lists and/or IP ACLs (spec text). */
export function authTypes(t: Trunk): string[] {
  const types: string[] = [];
  if (t.credentialLists.size > 0) types.push('CREDENTIAL_LIST');
  if (t.ipAccessControlLists.size > 0) types.push('IP_ACL');
  return types;
}

export function trunkView(t: Trunk): Record<string, unknown> {
  const url = trunkUrl(t.sid);
  const types = authTypes(t);
  return {
    sid: t.sid,
    account_sid: t.accountSid,
    domain_name: t.domainName,
    disaster_recovery_method: t.disasterRecoveryMethod,
    disaster_recovery_url: t.disasterRecoveryUrl,
    friendly_name: t.friendlyName,
    secure: t.secure,
    cnam_lookup_enabled: t.cnamLookupEnabled,
    symmetric_rtp_enabled: t.symmetricRtpEnabled,
    recording: { mode: 'do-not-record', trim: 'do-not-trim' },
    transfer_mode: t.transferMode,
    transfer_caller_id: t.transferCallerId,
    auth_type: types.join(','),
    auth_type_set: types,
    date_created: iso8601(t.dateCreated),
    date_updated: iso8601(t.dateUpdated),
    url,
    links: {
      origination_urls: `${url}/OriginationUrls`,
      credential_lists: `${url}/CredentialLists`,
      ip_access_control_lists: `${url}/IpAccessControlLists`,
      phone_numbers: `${url}/PhoneNumbers`,
      recording: `${url}/Recording`,
    },
  };
}

export function originationUrlView(o: OriginationUrl): Record<string, unknown> {
  return {
    account_sid: o.accountSid,
    sid: o.sid,
    trunk_sid: o.trunkSid,
    weight: o.weight,
    enabled: o.enabled,
    sip_url: o.sipUrl,
    friendly_name: o.friendlyName,
    priority: o.priority,
    date_created: iso8601(o.dateCreated),
    date_updated: iso8601(o.dateUpdated),
    url: `${trunkUrl(o.trunkSid)}/OriginationUrls/${o.sid}`,
  };
}

/** A credential-list or IP-ACL association: its `sid` is the list's sid. */
export function associationView(
  kind: 'CredentialLists' | 'IpAccessControlLists',
  trunk: Trunk,
  list: { sid: string; friendlyName: string },
  associated: Date,
): Record<string, unknown> {
  return {
    account_sid: trunk.accountSid,
    sid: list.sid,
    trunk_sid: trunk.sid,
    friendly_name: list.friendlyName,
    date_created: iso8601(associated),
    date_updated: iso8601(associated),
    url: `${trunkUrl(trunk.sid)}/${kind}/${list.sid}`,
  };
}

export function trunkPhoneNumberView(n: IncomingNumber): Record<string, unknown> {
  const trunkSid = n.trunkSid ?? '';
  return {
    ...numberFields(n),
    date_created: iso8601(n.dateCreated),
    date_updated: iso8601(n.dateUpdated),
    links: {
      phone_number: `https://api.twilio.com/2010-04-01/Accounts/${n.accountSid}/IncomingPhoneNumbers/${n.sid}.json`,
    },
    url: `${trunkUrl(trunkSid)}/PhoneNumbers/${n.sid}`,
  };
}
