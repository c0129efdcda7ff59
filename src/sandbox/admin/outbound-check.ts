// What Retell does when it places an outbound call from an imported number, checked against the
// Twilio sandbox: the number's termination URI must be a trunk's domain, the number must be on that
// trunk, and the number's SIP auth must match a credential of a list associated with the trunk.
// (Outbound auth by IP ACL is not considered: Retell's IPs are not the sandbox's.) Test-only.
import type { SandboxContext } from '../sandbox-context.js';

/**
 * The first failing link, checked in this order: `number not imported` (in no Retell workspace),
 * `no termination uri`, `no trunk with domain <host>`, `number not on twilio` (no account owns it),
 * `number not on trunk`, `no auth username`, `no auth password`, `no credential list on trunk`,
 * `auth rejected` (no credential of the trunk's lists has that username and password).
 */
export type OutboundCheck = { ok: true } | { ok: false; reason: string };

/** `sip:acme.pstn.twilio.com:5060;transport=tcp` → `acme.pstn.twilio.com`. */
export function terminationHost(uri: string): string {
  const noScheme = uri.trim().replace(/^sips?:/i, '');
  const host = noScheme.split(';')[0]?.split('@').at(-1)?.split(':')[0] ?? '';
  return host.toLowerCase();
}

export function checkRetellOutbound(context: SandboxContext, phoneNumber: string): OutboundCheck {
  const fail = (reason: string): OutboundCheck => ({ ok: false, reason });
  const number = context.retell.findNumber(phoneNumber);
  if (number === undefined) return fail('number not imported');
  const sip = number.sip;
  const uri = sip?.terminationUri ?? '';
  if (sip === null || uri.trim() === '') return fail('no termination uri');

  const { state } = context.twilio;
  const domain = terminationHost(uri);
  const trunk = [...state.trunks.values()].find((t) => t.domainName === domain);
  if (trunk === undefined) return fail(`no trunk with domain ${domain}`);
  const owned = [...state.numbers.values()].find((n) => n.phoneNumber === phoneNumber);
  if (owned === undefined) return fail('number not on twilio');
  if (owned.trunkSid !== trunk.sid) return fail('number not on trunk');

  const username = sip.authUsername ?? '';
  if (username === '') return fail('no auth username');
  if (sip.password === undefined) return fail('no auth password');
  if (trunk.credentialLists.size === 0) return fail('no credential list on trunk');
  if (!context.twilio.verifySip(domain, username, sip.password.reveal())) {
    return fail('auth rejected');
  }
  return { ok: true };
}
