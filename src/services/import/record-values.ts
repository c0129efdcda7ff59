// One record's values for one target: each field read from its path (or built from several, or a
// constant), opened with its legacy key, checked against the shape the field must have. A value
// that does not open, is not in the key's format or breaks its shape makes the record doubtful
// (field and rule); nothing in a result or an issue holds a value except the values themselves.
import { Secret, type LegacyDecoder } from '../../crypto/index.js';
import { TelvaultError } from '../../errors.js';
import type { Condition, FieldSource, FieldSpec, TargetSpec } from './mapping-schema.js';
import type { SourceRecord } from './read-input.js';
import { printable } from './shapes.js';
import { FIELD_GROUPS, TARGET_FIELDS } from './targets.js';

export interface Issue {
  field: string;
  rule: string;
}

/** A target's values: secrets and phone numbers wrapped; a list field as a list. */
export type Values = Record<string, Secret<string> | string[]>;

export type ReadResult = { ok: true; values: Values } | { ok: false; issues: Issue[] };

/** The value at a dotted path (a key holding the whole path, e.g. a CSV column, first). */
export function valueAt(record: SourceRecord, path: string): unknown {
  if (Object.hasOwn(record, path)) return record[path];
  let cur: unknown = record;
  for (const seg of path.split('.')) {
    if (typeof cur !== 'object' || cur === null || !Object.hasOwn(cur, seg)) return undefined;
    cur = (cur as Record<string, unknown>)[seg];
  }
  return cur;
}

const present = (v: unknown): boolean => v !== undefined && v !== null && v !== '';

export function holds(record: SourceRecord, c: Condition | undefined): boolean {
  if (c === undefined) return true;
  const v = valueAt(record, c.path);
  if (c.present !== undefined && present(v) !== c.present) return false;
  if (c.equals !== undefined && !(typeof v === 'string' && v === c.equals)) return false;
  return true;
}

function pick(record: SourceRecord, spec: FieldSpec): FieldSource | undefined {
  const list = Array.isArray(spec) ? spec : [spec];
  return list.find((f) => f.ifPresent === undefined || present(valueAt(record, f.ifPresent)));
}

type Raw = { value: unknown } | { issue: string };

function openWith(decoder: LegacyDecoder, raw: unknown): Raw {
  try {
    return { value: decoder.decode(raw) };
  } catch (err) {
    if (!(err instanceof TelvaultError)) throw err;
    if (err.code === 'ERR_LEGACY_DECRYPT_FAILED')
      return { issue: 'must open with its key (wrong key or damaged value)' };
    // The decoder names the part of the stored format that is wrong, never a value.
    return { issue: `must be in the key's stored format: ${err.message}` };
  }
}

function rawOf(
  record: SourceRecord,
  f: FieldSource,
  decoders: ReadonlyMap<string, LegacyDecoder>,
): Raw {
  let raw: unknown;
  if (f.value !== undefined) raw = f.value;
  else if (f.compose !== undefined) {
    const obj: Record<string, unknown> = {};
    for (const [k, p] of Object.entries(f.compose)) obj[k] = valueAt(record, p) ?? '';
    raw = obj;
  } else raw = valueAt(record, f.path ?? '');
  if (!present(raw)) return { value: undefined };
  if (f.key !== undefined) {
    const decoder = decoders.get(f.key);
    if (decoder === undefined) throw new TelvaultError('ERR_INTERNAL', 'import: a key is not open');
    const opened = openWith(decoder, raw);
    if ('issue' in opened) return opened;
    raw = opened.value;
  }
  if (f.json !== undefined) {
    let obj: unknown;
    try {
      obj = JSON.parse(String(raw));
    } catch {
      return { issue: 'must hold a JSON object once opened' };
    }
    if (typeof obj !== 'object' || obj === null)
      return { issue: 'must hold a JSON object once opened' };
    raw = (obj as Record<string, unknown>)[f.json];
  }
  return { value: raw };
}

function asList(v: unknown): string[] | undefined {
  if (Array.isArray(v)) return v.every((x) => typeof x === 'string') ? v : undefined;
  if (typeof v === 'string') {
    const t = v.trim();
    if (t.startsWith('[')) {
      try {
        return asList(JSON.parse(t));
      } catch {
        return undefined;
      }
    }
    return t
      .split(',')
      .map((x) => x.trim())
      .filter((x) => x.length > 0);
  }
  return undefined;
}

/** Reads, opens and checks a target's fields in one record. */
export function readTarget(
  record: SourceRecord,
  target: TargetSpec,
  decoders: ReadonlyMap<string, LegacyDecoder>,
): ReadResult {
  const defs = TARGET_FIELDS[target.type];
  const issues: Issue[] = [];
  const texts: Record<string, string> = {};
  const values: Values = {};
  for (const [field, def] of Object.entries(defs)) {
    const spec = target.fields[field];
    const src = spec === undefined ? undefined : pick(record, spec);
    const raw = src === undefined ? { value: undefined } : rawOf(record, src, decoders);
    if ('issue' in raw) {
      issues.push({ field, rule: raw.issue });
      continue;
    }
    if (!present(raw.value)) {
      if (def.required && src?.optional !== true) issues.push({ field, rule: 'is required' });
      continue;
    }
    if (def.list === true) {
      const list = asList(raw.value);
      const broken =
        list === undefined
          ? 'must be a list of strings'
          : list.map((x) => def.shape(x, texts)).find((r) => r !== null);
      if (broken !== undefined && broken !== null) issues.push({ field, rule: broken });
      else if (list !== undefined) values[field] = list;
      continue;
    }
    if (typeof raw.value !== 'string' && typeof raw.value !== 'number') {
      issues.push({ field, rule: 'must be a string' });
      continue;
    }
    texts[field] = String(raw.value);
  }
  // Shapes after every field is read: a number is read in the record's country.
  for (const [field, text] of Object.entries(texts)) {
    const def = defs[field];
    if (def === undefined) continue;
    const broken = printable(text, texts) ?? def.shape(text, texts);
    if (broken !== null) issues.push({ field, rule: broken });
    else values[field] = new Secret(text);
  }
  const group = FIELD_GROUPS[target.type] ?? [];
  const some = group.filter((g) => g in values);
  if (some.length > 0 && some.length < group.length && issues.length === 0) {
    for (const g of group)
      if (!(g in values)) issues.push({ field: g, rule: `is required with ${some.join(', ')}` });
  }
  return issues.length > 0 ? { ok: false, issues } : { ok: true, values };
}

/** A value taken as it is (a tenant's external id or name): no key, no JSON. */
export function plainValue(record: SourceRecord, spec: FieldSpec): unknown {
  const src = pick(record, spec);
  if (src === undefined) return undefined;
  return src.value ?? (src.path === undefined ? undefined : valueAt(record, src.path));
}
