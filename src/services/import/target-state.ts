// What a record would write and what its target holds now, field by field, in the form the target
// stores (a credential parsed as its service parses it, a phone's Exotel fields, a trunk's columns
// with an absent domain or account as empty), so the two compare. Values are compared in-process
// only; what leaves this file is field names and keyed fingerprints, never a value.
import type { TenantId } from '../../crypto/index.js';
import { parseCredentialInput, type Provider } from '../credentials/providers.js';
import { parseInput } from '../common/validation.js';
import { phonePatch } from '../phones/phone-schemas.js';
import { e164Of, type ApplyServices } from './apply-target.js';
import type { TargetType } from './targets.js';
import type { Values } from './record-values.js';

/** Field → value as the target stores it (a list: tags). */
export type Fields = Record<string, string | string[]>;

const text = (v: Values[string] | undefined): string | undefined =>
  v === undefined || Array.isArray(v) ? undefined : v.reveal();

function revealed(v: unknown): string | string[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (Array.isArray(v)) return v.map(String);
  if (typeof v === 'object' && 'reveal' in v && typeof v.reveal === 'function')
    return String((v as { reveal: () => unknown }).reveal());
  return typeof v === 'string' ? v : undefined;
}

function plain(values: Values, prefix = ''): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(values)) {
    if (!k.startsWith(prefix) || (prefix === '' && k.includes('.'))) continue;
    out[k.slice(prefix.length)] = Array.isArray(v) ? v : v.reveal();
  }
  return out;
}

/** The fields a record writes, as its target will hold them. */
export function wantedOf(type: TargetType, values: Values): Fields {
  const out: Fields = {};
  if (type.startsWith('credentials:')) {
    const provider = type.slice('credentials:'.length) as Provider;
    const parsed = parseCredentialInput(provider, plain(values)) as Record<string, unknown>;
    for (const [k, v] of Object.entries(parsed)) {
      const r = revealed(v);
      if (r !== undefined) out[k] = r;
    }
    return out;
  }
  switch (type) {
    case 'phone': {
      const exotel = values['exotel.apiKey'] === undefined ? undefined : plain(values, 'exotel.');
      const patch = parseInput(phonePatch, {
        label: text(values['label']),
        tags: Array.isArray(values['tags']) ? values['tags'] : undefined,
        exotel,
      });
      if (patch.label != null) out['label'] = patch.label;
      if (patch.tags != null) out['tags'] = patch.tags;
      if (patch.exotel != null) {
        out['exotel.apiKey'] = patch.exotel.apiKey.reveal();
        out['exotel.apiToken'] = patch.exotel.apiToken.reveal();
        out['exotel.sid'] = patch.exotel.sid;
        out['exotel.subdomain'] = patch.exotel.subdomain;
      }
      return out;
    }
    case 'trunk':
      // Every column is written: one the source leaves out is written empty.
      return {
        trunkSid: text(values['trunkSid']) ?? '',
        domainName: text(values['domainName']) ?? '',
        accountSid: text(values['accountSid']) ?? '',
        username: text(values['username']) ?? '',
        password: text(values['password']) ?? '',
      };
    default:
      return plain(values);
  }
}

export interface Held {
  fields: Fields;
  /** The target's id when the record does not know it (a phone found by its number). */
  ref?: string;
}

function asFields(held: Record<string, unknown>): Fields {
  const out: Fields = {};
  for (const [k, v] of Object.entries(held)) {
    const r = revealed(v);
    if (r !== undefined) out[k] = r;
  }
  return out;
}

/** What the record's target holds now; undefined when there is none, null when no check applies. */
export async function heldBy(
  s: ApplyServices,
  type: TargetType,
  tenantId: TenantId,
  values: Values,
): Promise<Held | undefined | null> {
  if (type.startsWith('credentials:')) {
    const held = await s.credentials.held(tenantId, type.slice('credentials:'.length) as Provider);
    return held === undefined ? undefined : { fields: asFields(held) };
  }
  switch (type) {
    case 'phone': {
      const held = await s.phones.held(tenantId, e164Of(values));
      return held === undefined ? undefined : { fields: asFields(held.fields), ref: held.id };
    }
    case 'trunk': {
      const held = await s.trunks.heldImported(tenantId);
      return held === undefined ? undefined : { fields: asFields(held) };
    }
    default:
      // A named secret: no check here.
      return null;
  }
}

const same = (a: string | string[] | undefined, b: string | string[] | undefined) =>
  JSON.stringify(a) === JSON.stringify(b);

export interface Comparison {
  /** Fields the target holds with another value than the record's (names only). */
  differ: string[];
  /** Fields the record writes that the target does not hold yet. */
  absent: string[];
}

export function compare(wanted: Fields, held: Fields): Comparison {
  const differ: string[] = [];
  const absent: string[] = [];
  for (const [k, v] of Object.entries(wanted)) {
    const h = held[k];
    // A phone without tags holds an empty list: nothing there to replace.
    if (h === undefined || (Array.isArray(h) && h.length === 0)) absent.push(k);
    else if (!same(h, v)) differ.push(k);
  }
  return { differ: differ.sort(), absent: absent.sort() };
}

/** The held values of the fields the record writes (the form its fingerprint was taken of). */
export function projected(wanted: Fields, held: Fields): Fields {
  const out: Fields = {};
  for (const k of Object.keys(wanted)) {
    const h = held[k];
    if (h !== undefined) out[k] = h;
  }
  return out;
}
