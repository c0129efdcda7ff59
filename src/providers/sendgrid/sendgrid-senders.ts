// Will SendGrid send from this address under this key? SendGrid answers a mail from an address that
// is neither a verified Single Sender nor at an authenticated domain with 403, so a check of the key
// alone says nothing about it. `GET /v3/verified_senders` lists pending senders too (`verified:
// false`); `GET /v3/whitelabel/domains` lists the authenticated domains (`valid: true`).
import type { Client } from '@sendgrid/client';
import type { ProviderError } from '../provider-error.js';
import { toSendgridProviderError } from './sendgrid-errors.js';

/**
 * `verified`: a verified sender identity. `unverified`: listed as pending or not listed, and its
 * domain is not authenticated. `unknown`: the key may not read the lists, they could not be read
 * whole, or the domain is authenticated (mail goes out, but the address itself is not verified).
 */
export type SendgridSenderStatus = 'verified' | 'unverified' | 'unknown';

const PAGE_SIZE = 100;
/** Beyond this many pages the answer is `unknown` rather than an unbounded walk. */
const MAX_PAGES = 50;

/** A list the key may not read (403) or the account does not have (404): nothing to say. */
const unreadable = (error: ProviderError): boolean => error.status === 403 || error.status === 404;

/** The body of one read; undefined when the list is unreadable. Other failures are thrown typed. */
async function read(
  client: Client,
  operation: string,
  url: string,
  qs: Record<string, string | number>,
): Promise<unknown> {
  try {
    const [response] = await client.request({ method: 'GET', url, qs });
    return response.body;
  } catch (error) {
    const typed = toSendgridProviderError(operation, error);
    if (unreadable(typed)) return undefined;
    throw typed;
  }
}

type Listed = 'verified' | 'not-verified' | undefined;

/** Whether `address` is a verified identity, walking the pages by `lastSeenID`. */
async function findSender(client: Client, operation: string, address: string): Promise<Listed> {
  let lastSeen: number | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const qs = { limit: PAGE_SIZE, ...(lastSeen === undefined ? {} : { lastSeenID: lastSeen }) };
    const body = await read(client, operation, '/v3/verified_senders', qs);
    const results = (body as { results?: unknown } | undefined)?.results;
    if (!Array.isArray(results)) return undefined;
    let last: number | undefined;
    for (const entry of results as { id?: unknown; from_email?: unknown; verified?: unknown }[]) {
      const email = typeof entry.from_email === 'string' ? entry.from_email.toLowerCase() : '';
      if (email === address && entry.verified === true) return 'verified';
      if (typeof entry.id === 'number') last = entry.id;
    }
    if (results.length < PAGE_SIZE) return 'not-verified';
    // A full page without ids to page on, or the same page again: cannot read it whole.
    if (last === undefined || last === lastSeen) return undefined;
    lastSeen = last;
  }
  return undefined;
}

/** Whether `domain` is an authenticated (valid) domain; undefined when that cannot be told. */
async function domainAuthenticated(
  client: Client,
  operation: string,
  domain: string,
): Promise<boolean | undefined> {
  for (let page = 0; page < MAX_PAGES; page++) {
    const qs = { domain, limit: PAGE_SIZE, offset: page * PAGE_SIZE };
    const body = await read(client, operation, '/v3/whitelabel/domains', qs);
    if (!Array.isArray(body)) return undefined;
    for (const entry of body as { domain?: unknown; valid?: unknown }[]) {
      if (
        typeof entry.domain === 'string' &&
        entry.domain.toLowerCase() === domain &&
        entry.valid === true
      ) {
        return true;
      }
    }
    if (body.length < PAGE_SIZE) return false;
  }
  return undefined;
}

/** What SendGrid would make of `email` as a from address under this key. */
export async function readSenderStatus(
  client: Client,
  email: string,
  operation: string,
): Promise<SendgridSenderStatus> {
  const address = email.trim().toLowerCase();
  const at = address.lastIndexOf('@');
  if (at <= 0 || at === address.length - 1) return 'unknown';
  const listed = await findSender(client, operation, address);
  if (listed === undefined) return 'unknown';
  if (listed === 'verified') return 'verified';
  const authenticated = await domainAuthenticated(client, operation, address.slice(at + 1));
  return authenticated === false ? 'unverified' : 'unknown';
}
