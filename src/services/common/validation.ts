// Schema parsing at the edges: a failure is ERR_VALIDATION whose message names each field and the
// rule it broke, never the value. Field names a client chose (unknown keys) are echoed truncated
// and escaped, so a message is always short printable ASCII whatever the client sent.
import type { z } from 'zod';
import { TelvaultError } from '../../errors.js';

const MAX_ISSUES = 5;
const MAX_KEYS = 5;
const MAX_NAME = 64;

/** Field names shown as they are; every name the schemas declare fits. */
const PLAIN_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * One path segment as a message shows it: a plain name as it is, anything else quoted as a JSON
 * string of at most 64 UTF-16 units whose every character outside printable ASCII (and `:` `;`
 * `,`, which separate a message's parts) is a `\uXXXX` escape, followed by `...` when cut.
 */
export function fieldLabel(segment: PropertyKey): string {
  if (typeof segment === 'number') return String(segment);
  const name = typeof segment === 'string' ? segment : String(segment);
  if (PLAIN_NAME.test(name)) return name;
  let out = '"';
  let i = 0;
  for (; i < name.length; i++) {
    const ch = name[i] ?? '';
    const c = name.charCodeAt(i);
    let piece: string;
    if (ch === '"' || ch === '\\') piece = `\\${ch}`;
    else if (c >= 0x20 && c <= 0x7e && !':;,'.includes(ch)) piece = ch;
    else piece = `\\u${c.toString(16).padStart(4, '0')}`;
    // At most MAX_NAME characters as shown (escapes count for what they print).
    if (out.length - 1 + piece.length > MAX_NAME) break;
    out += piece;
  }
  return `${out}"${i < name.length ? '...' : ''}`;
}

/** The longest field path a message shows: a longer one keeps its first and last segments. */
const MAX_PATH = 160;

function fieldName(path: readonly PropertyKey[], root: string): string {
  if (path.length === 0) return root;
  const labels = path.map(fieldLabel);
  const [first = '', ...rest] = labels;
  let shown = labels.join('.');
  while (shown.length > MAX_PATH && rest.length > 1) {
    rest.shift();
    shown = `${first}....${rest.join('.')}`;
  }
  return shown;
}

/** Formats zod issues as `field: rule; field: rule`. */
export function describeIssues(issues: readonly z.core.$ZodIssue[], root: string): string {
  return issues
    .slice(0, MAX_ISSUES)
    .map((i) => {
      if (i.code === 'unrecognized_keys') {
        const keys = i.keys.slice(0, MAX_KEYS).map((k) => fieldName([...i.path, k], root));
        const more = i.keys.length > MAX_KEYS ? ` and ${i.keys.length - MAX_KEYS} more` : '';
        return `${keys.join(', ')}${more}: unknown field`;
      }
      const message = i.message.startsWith('Invalid input: ')
        ? i.message.slice('Invalid input: '.length)
        : i.message;
      return `${fieldName(i.path, root)}: ${message}`;
    })
    .join('; ');
}

/**
 * Parses input where it enters (a route, a CLI command, a library entry point): first the text
 * rules every input shares (assertSafeInput), then the schema.
 */
export function parseInput<S extends z.ZodType>(
  schema: S,
  value: unknown,
  root = 'body',
): z.output<S> {
  assertSafeInput(value, root);
  return parseChecked(schema, value, root);
}

/** The schema step alone, for input the HTTP edge has already put through assertSafeInput. */
export function parseChecked<S extends z.ZodType>(
  schema: S,
  value: unknown,
  root = 'body',
): z.output<S> {
  const r = schema.safeParse(value);
  if (!r.success) throw new TelvaultError('ERR_VALIDATION', describeIssues(r.error.issues, root));
  return r.data;
}

// A lone surrogate, as `String.prototype.isWellFormed` (ES2024, beyond our ES2023 lib) sees it:
// with the u flag a well-formed pair is one code point, so only an unpaired half matches.
const LONE_SURROGATE = /\p{Cs}/u;

function textRule(s: string): string | undefined {
  if (s.includes('\u0000')) return 'must not contain U+0000';
  if (LONE_SURROGATE.test(s)) return 'must be well-formed Unicode (it holds a lone surrogate)';
  return undefined;
}

/** A place in a request: a linked path, so a deep body costs no copy per level. */
interface Place {
  value: unknown;
  key: PropertyKey | undefined;
  parent: Place | undefined;
}

function pathOf(place: Place | undefined): PropertyKey[] {
  const path: PropertyKey[] = [];
  for (let p = place; p?.key !== undefined; p = p.parent) path.unshift(p.key);
  return path;
}

/** Own keys through which a careless merge could reach an object's prototype. */
function keyRule(key: string, child: unknown): string | undefined {
  if (key === '__proto__') return 'key "__proto__" is not allowed';
  if (key === 'constructor' && typeof child === 'object' && child !== null) {
    if (Object.hasOwn(child, 'prototype'))
      return 'key "constructor" holding "prototype" is not allowed';
  }
  return undefined;
}

/**
 * Refuses what no part of telvault may receive, in any string or object key at any depth of
 * `value`: text it cannot hold (a lone surrogate has no UTF-8 form and the crypto core refuses
 * it; PostgreSQL text cannot store U+0000), and the keys `__proto__` and `constructor.prototype`.
 * The message names the first offending field, like `parseInput`'s.
 */
export function assertSafeInput(value: unknown, root: string): void {
  const refuse = (place: Place, rule: string): never => {
    throw new TelvaultError('ERR_VALIDATION', `${fieldName(pathOf(place), root)}: ${rule}`);
  };
  // An explicit stack: a body nested thousands deep must not overflow the call stack.
  const stack: Place[] = [{ value, key: undefined, parent: undefined }];
  for (let place = stack.pop(); place !== undefined; place = stack.pop()) {
    const v = place.value;
    if (typeof v === 'string') {
      const rule = textRule(v);
      if (rule !== undefined) refuse(place, rule);
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ value: v[i], key: i, parent: place });
    } else if (typeof v === 'object' && v !== null) {
      const entries: [string, unknown][] = Object.entries(v);
      for (const [key, child] of entries) {
        const rule = keyRule(key, child);
        if (rule !== undefined) refuse(place, rule);
        const text = textRule(key);
        if (text !== undefined) refuse({ value: key, key, parent: place }, `key ${text}`);
      }
      for (let i = entries.length - 1; i >= 0; i--) {
        const [key, child] = entries[i] ?? ['', undefined];
        stack.push({ value: child, key, parent: place });
      }
    }
  }
}
