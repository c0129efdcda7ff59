// Phone numbers masked wherever they appear in text bound for a log line: request URLs (path and
// query string, raw or percent-encoded), messages and string fields. What must stay readable
// (UUIDs, request ids, ISO timestamps, ports, key versions, hashes, token prefixes) is never a
// bare run of 8 to 15 digits standing alone, so it is left as it is.

// Between the digit groups of an international number: a space, dot, dash or parenthesis, as
// typed or percent-encoded, or `+` (a space in a query string). Up to three in a row: `) (`.
const SEPARATOR = String.raw`(?:[ .\-()\u00a0]|%20|%2[dD]|%28|%29|\+)`;

// `+` (or `%2B` in a URL), then 8 to 15 digits with separators between them, and no digit after.
const INTERNATIONAL = new RegExp(
  String.raw`(?:\+|%2[bB])\d(?:${SEPARATOR}{0,3}\d){7,14}(?!\d)`,
  'g',
);

// A national number: 8 to 15 digits alone between separators of a path, query string or sentence
// (start or end of the text, whitespace, quotes, brackets, `/ = ? & # , ;`, a percent-encoded
// octet, a full stop that ends a sentence). Not beside a letter, `-`, `_`, `:` or another `.`:
// UUIDs (`01940312-…-234567890123`), request ids, timestamps, versions and `tvk_…` stay intact.
const NATIONAL =
  /(?<=^|[\s/=?&,;"'(<[{]|%[0-9A-Fa-f]{2})\d{8,15}(?=$|[\s/?&#,;"')>\]}]|%[0-9A-Fa-f]{2}|\.(?:\s|$))/g;

/** One match, digits masked but the first and the last four; its lead and separators kept. */
function maskMatch(match: string): string {
  const lead = /^(?:\+|%2[bB])/.exec(match)?.[0] ?? '';
  const tokens = match.slice(lead.length).match(/%[0-9A-Fa-f]{2}|[\s\S]/g) ?? [];
  const digits = tokens.filter((t) => /^\d$/.test(t)).length;
  let seen = 0;
  const masked = tokens.map((t) => {
    if (!/^\d$/.test(t)) return t;
    seen += 1;
    return seen === 1 || seen > digits - 4 ? t : '*';
  });
  return lead + masked.join('');
}

/**
 * Masks every phone number in a text, keeping its lead, first digit and last four:
 * `+14155554567` → `+1******4567`, `%2B61401148075` → `%2B6******8075`,
 * `+1 (415) 555-0100` → `+1 (***) ***-0100`, `?to=0401148075` → `?to=0*****8075`.
 */
export function maskPhones(text: string): string {
  return text.replace(INTERNATIONAL, maskMatch).replace(NATIONAL, maskMatch);
}

/**
 * A JSON value with every phone number in its strings masked (`maskPhones`), at any depth: for
 * views of stored results (job results, replayed answers) shown to a principal who sees numbers
 * masked, so a result written for its tenant never reaches the root token in full.
 */
export function maskPhonesIn<T>(value: T): T {
  if (typeof value === 'string') return maskPhones(value) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => maskPhonesIn(v)) as T;
  if (value !== null && typeof value === 'object') {
    // fromEntries defines own properties: a `__proto__` key stays a key.
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskPhonesIn(v)])) as T;
  }
  return value;
}
