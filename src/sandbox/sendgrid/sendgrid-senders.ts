// SendGrid's sender identities in the sandbox: Single Sender Verification entries (verified or
// still pending, as `GET /v3/verified_senders` lists both) and authenticated domains (as
// `GET /v3/whitelabel/domains` lists them). A verified address or a valid authenticated domain may
// send; so may every address when the sender check is off (no `verifiedSenders` in the seed).
import { SandboxAdminError } from '../core/provider-store.js';

/** One entry of `GET /v3/verified_senders` `results`, with SendGrid's field names. */
export interface SendgridSenderIdentity {
  id: number;
  nickname: string;
  from_email: string;
  from_name: string;
  reply_to: string;
  reply_to_name: string;
  address: string;
  address2: string;
  state: string;
  city: string;
  zip: string;
  country: string;
  verified: boolean;
  locked: boolean;
}

/** One entry of `GET /v3/whitelabel/domains` (an array at the top level). */
export interface SendgridAuthenticatedDomain {
  id: number;
  user_id: number;
  subdomain: string;
  domain: string;
  username: string;
  ips: string[];
  custom_spf: boolean;
  default: boolean;
  legacy: boolean;
  automatic_security: boolean;
  valid: boolean;
}

export interface SenderSetup {
  /** null: no sender check, every address may send. */
  verifiedSenders: string[] | null;
  unverifiedSenders: string[];
  authenticatedDomains: string[];
}

export interface SendgridSenders {
  identities(): readonly SendgridSenderIdentity[];
  domains(): readonly SendgridAuthenticatedDomain[];
  /** May `email` be the from address of a mail? */
  maySend(email: string): boolean;
  /** Replaces what `change` names; the rest stays. */
  apply(change: Partial<SenderSetup>): void;
  setup(): SenderSetup;
}

const domainOf = (email: string): string => email.slice(email.lastIndexOf('@') + 1);

/**
 * `verifiedSenders` entries of the form `@example.com` stand for an authenticated domain (the
 * form seeds used before `authenticatedDomains` existed).
 */
export function createSendgridSenders(initial: Partial<SenderSetup>): SendgridSenders {
  let verified: string[] | null = null;
  let unverified: string[] = [];
  let domains: string[] = [];
  let identities: SendgridSenderIdentity[] = [];
  let domainRows: SendgridAuthenticatedDomain[] = [];

  const rebuild = (): void => {
    let id = 0;
    const identity = (email: string, isVerified: boolean): SendgridSenderIdentity => {
      id += 1;
      return {
        id,
        nickname: email,
        from_email: email,
        from_name: '',
        reply_to: email,
        reply_to_name: '',
        address: '1 Sandbox Street',
        address2: '',
        state: '',
        city: 'Sandbox',
        zip: '00000',
        country: 'USA',
        verified: isVerified,
        locked: false,
      };
    };
    identities = [
      ...(verified ?? []).map((e) => identity(e, true)),
      ...unverified.map((e) => identity(e, false)),
    ];
    domainRows = domains.map((domain, i) => ({
      id: i + 1,
      user_id: 1,
      subdomain: `em${1000 + i}`,
      domain,
      username: 'sandbox',
      ips: [],
      custom_spf: false,
      default: i === 0,
      legacy: false,
      automatic_security: true,
      valid: true,
    }));
  };

  const apply = (change: Partial<SenderSetup>): void => {
    if (change.authenticatedDomains !== undefined) {
      domains = change.authenticatedDomains.map((s) => s.toLowerCase().replace(/^@/, ''));
    }
    if (change.verifiedSenders !== undefined) {
      const list = change.verifiedSenders?.map((s) => s.toLowerCase()) ?? null;
      verified = list?.filter((s) => !s.startsWith('@')) ?? null;
      const shorthand = (list ?? []).filter((s) => s.startsWith('@')).map((s) => s.slice(1));
      domains = [...new Set([...domains, ...shorthand])];
    }
    if (change.unverifiedSenders !== undefined) {
      unverified = change.unverifiedSenders.map((s) => s.toLowerCase());
    }
    rebuild();
  };
  apply(initial);

  return {
    identities: () => identities,
    domains: () => domainRows,
    maySend(email) {
      if (verified === null) return true;
      const address = email.toLowerCase();
      if (identities.some((i) => i.verified && i.from_email === address)) return true;
      return domainRows.some((d) => d.valid && d.domain === domainOf(address));
    },
    apply,
    setup: () => ({
      verifiedSenders: verified === null ? null : [...verified],
      unverifiedSenders: [...unverified],
      authenticatedDomains: [...domains],
    }),
  };
}

const strings = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((s) => typeof s === 'string' && s !== '');

/** The sender fields of a `POST /__sandbox/sendgrid/config` body; a bad one names its field. */
export function parseSenderSetup(input: unknown): Partial<SenderSetup> {
  const body = (input ?? {}) as Record<string, unknown>;
  const change: Partial<SenderSetup> = {};
  const { verifiedSenders, unverifiedSenders, authenticatedDomains } = body;
  if (verifiedSenders !== undefined) {
    if (verifiedSenders !== null && !strings(verifiedSenders)) {
      throw new SandboxAdminError(400, '"verifiedSenders" must be an array of strings or null');
    }
    change.verifiedSenders = verifiedSenders;
  }
  if (unverifiedSenders !== undefined) {
    if (!strings(unverifiedSenders)) {
      throw new SandboxAdminError(400, '"unverifiedSenders" must be an array of strings');
    }
    change.unverifiedSenders = unverifiedSenders;
  }
  if (authenticatedDomains !== undefined) {
    if (!strings(authenticatedDomains)) {
      throw new SandboxAdminError(400, '"authenticatedDomains" must be an array of strings');
    }
    change.authenticatedDomains = authenticatedDomains;
  }
  return change;
}
