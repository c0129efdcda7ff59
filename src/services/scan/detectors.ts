// The secret detectors: each finds one shape of provider secret in a text and says where it is.
// Shapes come from the providers (../shared/reference/providers.md) and from telvault itself
// (tokens: `tvk_`/`tvr_` + base64url of 32 bytes; master key: base64 of 32 bytes). Look-alikes
// are kept out by exact lengths and boundaries: a 40-hex git sha is not 32 hex, a UUID has dashes,
// an MD5 is reported only next to an AC sid, and a base64 run (an inline image) does not split
// into 32-character pieces because `+`, `/`, `_` and `-` do not count as a boundary.
import { LineIndex } from './line-index.js';
import type { SecretKind } from './secret-kinds.js';

export interface SecretMatch {
  kind: SecretKind;
  /** 0-based line of the secret (of the BEGIN line for a PEM block). */
  line: number;
  /** The secret itself: used for the preview and never kept in a finding. */
  value: string;
}

/** How many lines apart a token and its account/key SID (or "retell") may be. */
const NEAR_LINES = 3;
/** Characters that continue a token: a 32-character piece inside a longer run is not a token. */
const CONT = 'A-Za-z0-9+/_\\-';

const SID = /(?<![A-Za-z0-9])(AC|SK)[0-9a-fA-F]{32}(?![A-Za-z0-9])/g;
const CANDIDATE_32 = new RegExp(`(?<![${CONT}])[A-Za-z0-9]{32}(?![${CONT}])`, 'g');
const HEX_32 = /^[0-9a-fA-F]{32}$/;
const SENDGRID =
  /(?<![A-Za-z0-9_.-])SG\.[A-Za-z0-9_-]{16,32}\.[A-Za-z0-9_-]{16,64}(?![A-Za-z0-9_-])/g;
const RETELL_HEX = /(?<![A-Za-z0-9_])key_[0-9a-f]{24,64}(?![A-Za-z0-9_])/g;
const RETELL_ANY = /(?<![A-Za-z0-9_])key_[A-Za-z0-9]{20,64}(?![A-Za-z0-9_])/g;
const RETELL_WORD = /retell/gi;
const EXOTEL_URL =
  /https?:\/\/([A-Za-z0-9_-]{8,128}):([A-Za-z0-9_-]{8,128})@(?:[A-Za-z0-9-]+\.)*exotel\.(?:com|in)(?![A-Za-z0-9-])/dgi;
const EXOTEL_SETTING =
  /exotel[A-Za-z0-9_.-]{0,24}?(key|token)["']?\s*[:=]\s*["'`]?([A-Za-z0-9]{16,128})(?![A-Za-z0-9])/dgi;
const TELVAULT_TOKEN = /(?<![A-Za-z0-9_-])tv([kr])_[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])/g;
const MASTER_KEY =
  /TELVAULT_MASTER_KEY["']?\s*[:=]\s*["'`]?([A-Za-z0-9+/]{43}=?)(?![A-Za-z0-9+/=])/dg;
// A newline, real or escaped inside a string literal (a PEM in JSON or .env).
const NL = String.raw`(?:\r?\n|(?:\\r)?\\n)`;
const PEM = new RegExp(
  String.raw`-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----${NL}` +
    String.raw`(?:[A-Za-z-]+: [^\n\\]*${NL})*(?:[ \t]*${NL})?[ \t"']*([A-Za-z0-9+/]{40,})`,
  'dg',
);

/** A value of fewer distinct characters is a placeholder (`key_ffff…`, `0000…`), not a secret. */
const MIN_DISTINCT_CHARS = 6;
const isPlaceholder = (v: string): boolean => new Set(v).size < MIN_DISTINCT_CHARS;

const hasDigitAndLetter = (v: string): boolean => /[0-9]/.test(v) && /[A-Za-z]/.test(v);
const near = (lines: readonly number[], line: number): boolean =>
  lines.some((l) => Math.abs(l - line) <= NEAR_LINES);

type Push = (kind: SecretKind, offset: number, value: string) => void;

/** Merged [first, last] line ranges within NEAR_LINES of any of `lines`. */
function windows(lines: readonly number[]): [number, number][] {
  const out: [number, number][] = [];
  for (const l of [...lines].sort((a, b) => a - b)) {
    const last = out[out.length - 1];
    if (last !== undefined && l - NEAR_LINES <= last[1] + 1) last[1] = l + NEAR_LINES;
    else out.push([l - NEAR_LINES, l + NEAR_LINES]);
  }
  return out;
}

function twilio(text: string, at: LineIndex, push: Push): void {
  const ac: number[] = [];
  const sk: number[] = [];
  for (const m of text.matchAll(SID)) (m[1] === 'AC' ? ac : sk).push(at.lineOf(m.index));
  // Candidates are looked for only in the lines around a sid (the search is the costly part).
  for (const [first, last] of windows([...ac, ...sk])) {
    const start = at.startOf(first);
    for (const m of text.slice(start, at.startOf(last + 1)).matchAll(CANDIDATE_32)) {
      const offset = start + m.index;
      const line = at.lineOf(offset);
      if (HEX_32.test(m[0]) && near(ac, line)) push('twilio-auth-token', offset, m[0]);
      else if (near(sk, line) && hasDigitAndLetter(m[0]))
        push('twilio-api-key-secret', offset, m[0]);
    }
  }
}

function retell(text: string, at: LineIndex, push: Push): void {
  for (const m of text.matchAll(RETELL_HEX)) push('retell-api-key', m.index, m[0]);
  const loose = [...text.matchAll(RETELL_ANY)].filter((m) => hasDigitAndLetter(m[0].slice(4)));
  if (loose.length === 0) return;
  const mentions = [...text.matchAll(RETELL_WORD)].map((m) => at.lineOf(m.index));
  for (const m of loose)
    if (near(mentions, at.lineOf(m.index))) push('retell-api-key', m.index, m[0]);
}

/** Pushes group `g` of a `d`-flagged match, when it is there. */
function pushGroup(m: RegExpExecArray, g: number, kind: SecretKind, push: Push): void {
  const value = m[g];
  const span = m.indices?.[g];
  if (value !== undefined && span !== undefined) push(kind, span[0], value);
}

function exotel(text: string, push: Push): void {
  for (const m of text.matchAll(EXOTEL_URL)) {
    if (!hasDigitAndLetter(m[1] ?? '') || !hasDigitAndLetter(m[2] ?? '')) continue;
    pushGroup(m, 1, 'exotel-api-key', push);
    pushGroup(m, 2, 'exotel-api-token', push);
  }
  for (const m of text.matchAll(EXOTEL_SETTING)) {
    if (!hasDigitAndLetter(m[2] ?? '')) continue;
    const kind = m[1]?.toLowerCase() === 'key' ? 'exotel-api-key' : 'exotel-api-token';
    pushGroup(m, 2, kind, push);
  }
}

function telvaultTokens(text: string, push: Push): void {
  for (const m of text.matchAll(TELVAULT_TOKEN)) {
    push(m[1] === 'k' ? 'telvault-token' : 'telvault-root-token', m.index, m[0]);
  }
}

function masterKeys(text: string, push: Push): void {
  for (const m of text.matchAll(MASTER_KEY)) {
    if (Buffer.from(m[1] ?? '', 'base64').length === 32) {
      pushGroup(m, 1, 'telvault-master-key', push);
    }
  }
}

function privateKeys(text: string, push: Push): void {
  for (const m of text.matchAll(PEM)) push('private-key', m.index, m[1] ?? '');
}

/**
 * Every secret in `text`, each once (one kind per position), in text order. The detectors that
 * know a value by its own shape or its context (an Exotel URL, `SG.`, `key_`, a setting's name)
 * run first and claim their spans; the Twilio ones, which know a value only by a sid nearby, run
 * last and never relabel a claimed value (an Exotel token next to an AC sid stays Exotel's).
 */
export function findSecrets(text: string): SecretMatch[] {
  const at = new LineIndex(text);
  const seen = new Map<number, SecretMatch>();
  const claimed: [number, number][] = [];
  const push: Push = (kind, offset, value) => {
    if (seen.has(offset) || isPlaceholder(value)) return;
    const end = offset + value.length;
    if (claimed.some(([s, e]) => offset < e && s < end)) return;
    claimed.push([offset, end]);
    seen.set(offset, { kind, line: at.lineOf(offset), value });
  };
  if (text.includes('SG.'))
    for (const m of text.matchAll(SENDGRID)) push('sendgrid-api-key', m.index, m[0]);
  if (text.includes('key_')) retell(text, at, push);
  if (/exotel/i.test(text)) exotel(text, push);
  if (text.includes('tv')) telvaultTokens(text, push);
  if (text.includes('TELVAULT_MASTER_KEY')) masterKeys(text, push);
  if (text.includes('PRIVATE KEY')) privateKeys(text, push);
  twilio(text, at, push);
  return [...seen.entries()].sort((a, b) => a[0] - b[0]).map(([, m]) => m);
}

const ENV_FILE = /^\.env(?:\.[^/]+)?$/;
const ENV_TEMPLATE = /\.(?:example|sample|template|dist|defaults?)$/i;

/** A `.env` or `.env.<stage>` file (not `.env.example` and the like, which hold no secrets). */
export function isEnvFile(path: string): boolean {
  const base = path.slice(path.lastIndexOf('/') + 1);
  return ENV_FILE.test(base) && !ENV_TEMPLATE.test(base);
}
