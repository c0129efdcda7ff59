// What a provider said about its refusal, kept for the caller (the HTTP error body's `provider`
// and ProviderError.providerDetail): its code, its message and its documentation link. A vendor
// message can echo what was sent, so it is cleaned before it is kept: phone numbers masked
// (first digit and last four), user-info of a URL and every run that could be a secret (10 or
// more characters holding both letters and digits: tokens, keys, sids, passwords, base64) replaced
// by `[redacted]`, whitespace folded, and cut to MAX_MESSAGE characters. The link is kept only
// when it is a web URL on the provider's own documentation host.
import type { ProviderName } from '../provider-error.js';

export interface ProviderDetail {
  name: ProviderName;
  code?: string | number;
  message?: string;
  moreInfo?: string;
}

export const MAX_MESSAGE = 300;

const DOC_HOSTS: Readonly<Record<ProviderName, readonly string[]>> = {
  twilio: ['twilio.com'],
  retell: ['retellai.com'],
  exotel: ['exotel.com', 'exotel.in'],
  sendgrid: ['sendgrid.com', 'twilio.com'],
};

// Between digit groups of a written number: space, dot, dash, parentheses (up to three in a row).
const INTERNATIONAL = /\+\d(?:[ .\-()\u00a0]{0,3}\d){7,14}(?!\d)/g;
const NATIONAL = /(?<![A-Za-z0-9_])\d{8,15}(?![A-Za-z0-9_])/g;
const USER_INFO = /([a-z][a-z0-9+.-]*:\/\/)[^/\s@]+@/gi;
const SECRET_LIKE = /[A-Za-z0-9_\-+/=.:]{10,}/g;
/** A field path such as `personalizations.0.to.0.email:` (words and indexes): not a secret. */
const FIELD_PATH = /^[a-z_]+(?:\.(?:\d+|[a-z_]+))+:?$/;

function maskNumber(match: string): string {
  const total = match.replace(/\D/g, '').length;
  let seen = 0;
  return match.replace(/\d/g, (d) => {
    seen += 1;
    return seen === 1 || seen > total - 4 ? d : '*';
  });
}

/** Masks numbers, redacts what could be a secret, folds whitespace, caps the length. */
export function cleanVendorMessage(text: unknown): string | undefined {
  if (typeof text !== 'string') return undefined;
  const cleaned = text
    .replace(/\s+/g, ' ')
    .trim()
    .replace(USER_INFO, '$1[redacted]@')
    .replace(SECRET_LIKE, (run) =>
      /[A-Za-z]/.test(run) && /[0-9]/.test(run) && !FIELD_PATH.test(run) ? '[redacted]' : run,
    )
    .replace(INTERNATIONAL, maskNumber)
    .replace(NATIONAL, maskNumber);
  if (cleaned === '') return undefined;
  return cleaned.length > MAX_MESSAGE ? `${cleaned.slice(0, MAX_MESSAGE - 1)}…` : cleaned;
}

function cleanCode(code: unknown): string | number | undefined {
  if (typeof code === 'number' && Number.isSafeInteger(code)) return code;
  if (typeof code === 'string' && /^[A-Za-z0-9_.-]{1,64}$/.test(code)) return code;
  return undefined;
}

function cleanLink(provider: ProviderName, link: unknown): string | undefined {
  if (typeof link !== 'string' || link.length > 512) return undefined;
  let url: URL;
  try {
    url = new URL(link);
  } catch {
    return undefined;
  }
  const host = url.hostname.toLowerCase();
  const own = DOC_HOSTS[provider].some((h) => host === h || host.endsWith(`.${h}`));
  // SendGrid's own help links are http://sendgrid.com/docs/…: http is kept on the provider's host.
  const web = url.protocol === 'https:' || url.protocol === 'http:';
  if (!web || !own || url.username !== '' || url.password !== '') {
    return undefined;
  }
  return `${url.origin}${url.pathname}`;
}

/** The provider's explanation, cleaned; undefined when it said nothing usable. */
export function providerDetailOf(
  provider: ProviderName,
  said: { code?: unknown; message?: unknown; moreInfo?: unknown },
): ProviderDetail | undefined {
  const code = cleanCode(said.code);
  const message = cleanVendorMessage(said.message);
  const moreInfo = cleanLink(provider, said.moreInfo);
  if (code === undefined && message === undefined && moreInfo === undefined) return undefined;
  return {
    name: provider,
    ...(code === undefined ? {} : { code }),
    ...(message === undefined ? {} : { message }),
    ...(moreInfo === undefined ? {} : { moreInfo }),
  };
}
