// What the workflow names at Twilio, derived from the tenant so that a re-run (on any node, after
// any crash) looks for exactly what an earlier run made: the trunk's domain, the credential list's
// friendly name and the SIP username. Never a constant shared by tenants. The SIP password is the
// one thing not derived: generated with a CSPRNG to Twilio's rules, sealed before it is sent.
import { createHash, randomInt } from 'node:crypto';
import { Secret } from '../../crypto/index.js';

export const TWILIO_DOMAIN_SUFFIX = '.pstn.twilio.com';
/** Retell's SIP server (providers.md §4): the default origination (inbound) target. */
export const RETELL_SIP_URI = 'sip:sip.retellai.com';

const digest = (...parts: string[]): string =>
  createHash('sha256').update(parts.join('\0')).digest('hex');

/**
 * The trunk's domain: `tv-<20 hex>.pstn.twilio.com`, a DNS label of lower-case letters, digits
 * and `-` (at most 63). With a salt (the derived domain was quarantined or taken by another
 * account) a different label, recorded in the step's intent so a re-run keeps using it.
 */
export function trunkDomain(tenantId: string, salt?: string): string {
  const label = `tv-${digest('telvault-trunk-domain', tenantId, salt ?? '').slice(0, 20)}`;
  return `${label}${TWILIO_DOMAIN_SUFFIX}`;
}

/** The friendly name of the trunk and of the credential list (≤ 64 characters). */
export function trunkFriendlyName(tenantId: string): string {
  return `telvault ${tenantId}`;
}

export const ORIGINATION_FRIENDLY_NAME = 'telvault retell';

/**
 * The SIP username of the tenant's credential (≤ 32 characters, [a-z0-9-]); `generation` > 0 for
 * the credentials a password rotation adds beside the current one.
 */
export function sipUsername(tenantId: string, generation = 0): string {
  const base = `tv${digest('telvault-sip-username', tenantId).slice(0, 16)}`;
  return generation === 0 ? base : `${base}-g${generation}`;
}

/** The generation a username of `sipUsername` carries (0 for a foreign username). */
export function usernameGeneration(username: string): number {
  const m = /-g(\d{1,6})$/.exec(username);
  return m === null ? 0 : Number(m[1]);
}

const LOWER = 'abcdefghijkmnopqrstuvwxyz';
const UPPER = 'ABCDEFGHJKLMNPQRSTUVWXYZ';
const DIGITS = '23456789';
const ALL = LOWER + UPPER + DIGITS;
export const SIP_PASSWORD_LENGTH = 32;

/**
 * A SIP password to Twilio's rule (at least 12 characters, a digit, mixed case): 32 characters
 * drawn uniformly (randomInt) from 57 unambiguous letters and digits, about 186 bits, with one
 * character of each class at a random place.
 */
export function generateSipPassword(): Secret<string> {
  const chars = Array.from({ length: SIP_PASSWORD_LENGTH }, () =>
    ALL.charAt(randomInt(ALL.length)),
  );
  const places = new Set<number>();
  while (places.size < 3) places.add(randomInt(SIP_PASSWORD_LENGTH));
  const [a, b, c] = [...places];
  chars[a ?? 0] = LOWER.charAt(randomInt(LOWER.length));
  chars[b ?? 1] = UPPER.charAt(randomInt(UPPER.length));
  chars[c ?? 2] = DIGITS.charAt(randomInt(DIGITS.length));
  return new Secret(chars.join(''));
}
