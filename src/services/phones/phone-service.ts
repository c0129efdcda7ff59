// Phones: a number normalized to E.164 (the request's country, else the tenant's default region;
// the tenant's allowed number types), sealed in its own envelope and blind-indexed, unique in its
// tenant whatever format it was typed in; the number's own Exotel key and token sealed, each its
// own envelope. Written and read through the encrypted-record path only.
import { Secret, type TenantId } from '../../crypto/index.js';
import { TelvaultError } from '../../errors.js';
import { newId } from '../../store/time.js';
import type { Actor } from '../audit/actor.js';
import { hintFor } from '../common/secret-field.js';
import type { EncryptedRecords, RecordWritePlan, StoredRecord } from '../records/index.js';
import type { SettingsService } from '../tenants/settings-service.js';
import { normalizePhoneNumber, PHONE_NUMBER_TYPES, type NormalizedPhone } from './phone-number.js';
import type {
  PhoneCreate,
  PhoneListQuery,
  PhoneLookup,
  PhonePageView,
  PhonePatch,
  PhoneProvider,
  PhoneView,
} from './phone-schemas.js';
import type { ExotelCredentials } from '../../providers/exotel/index.js';
import {
  EXOTEL_KEY_FIELD,
  EXOTEL_TOKEN_FIELD,
  exotelOf,
  NUMBER_FIELD,
  phoneViewOf,
  retellOf,
  tagsOf,
  type PhoneExotelPublic,
  type PhoneRetell,
} from './phone-views.js';
import type { PhoneProviders } from './phone-providers.js';
import type { PhoneVerifyResult } from './phone-schemas.js';
import './errors.js';

/** What a call or message needs of the phone it starts from. */
export interface SendingPhone {
  id: string;
  e164: string;
  provider: PhoneProvider;
  exotel: PhoneExotelPublic | null;
  retell: PhoneRetell;
  record: StoredRecord;
}

export interface PhoneServiceDeps {
  records: EncryptedRecords;
  settings: Pick<SettingsService, 'forPhones'>;
  /** Exotel verify and the Retell push. */
  providers: PhoneProviders;
}

const DEFAULT_PAGE = 50;

const notFound = () => new TelvaultError('ERR_NOT_FOUND', 'phone not found');
const exists = () =>
  new TelvaultError('ERR_PHONE_EXISTS', 'number: the tenant already has a phone with this number');

type ExotelInput = NonNullable<PhoneCreate['exotel']>;

function exotelColumns(e: ExotelInput): {
  seal: Record<string, Secret<string>>;
  json: PhoneExotelPublic;
} {
  const hints: PhoneExotelPublic['hints'] = {};
  const keyHint = hintFor(e.apiKey.reveal());
  const tokenHint = hintFor(e.apiToken.reveal());
  if (keyHint !== null) hints.apiKey = keyHint.last4;
  if (tokenHint !== null) hints.apiToken = tokenHint.last4;
  return {
    seal: { [EXOTEL_KEY_FIELD]: e.apiKey, [EXOTEL_TOKEN_FIELD]: e.apiToken },
    json: {
      sid: e.sid,
      subdomain: e.subdomain,
      ...(e.flowUrl === undefined ? {} : { flowUrl: e.flowUrl }),
      hints,
    },
  };
}

function retellJson(r: PhoneRetell): string | null {
  return r.inboundAgentId === null && r.outboundAgentId === null && !r.synced
    ? null
    : JSON.stringify(r);
}

/** The stored agent ids with a PATCH's retell field applied (null clears both). */
function mergeRetell(stored: PhoneRetell, patch: PhonePatch['retell']): PhoneRetell {
  if (patch === undefined) return stored;
  if (patch === null) return { ...stored, inboundAgentId: null, outboundAgentId: null };
  return {
    ...stored,
    ...(patch.inboundAgentId === undefined ? {} : { inboundAgentId: patch.inboundAgentId }),
    ...(patch.outboundAgentId === undefined ? {} : { outboundAgentId: patch.outboundAgentId }),
  };
}

/** A new phone's number: sealed, its blind index unique in the tenant, its region and type. */
function newNumber(n: NormalizedPhone) {
  const e164 = new Secret(n.e164);
  return {
    seal: { [NUMBER_FIELD]: e164 },
    blindIndex: { normalized: e164, normalizerVersion: n.normalizerVersion, unique: exists },
    columns: { country: n.country, number_type: n.type },
  };
}

/** The fields a write sent, sorted (the audit event's detail: names only). */
function sentFields(input: Readonly<Record<string, unknown>>): string[] {
  return Object.keys(input)
    .filter((k) => input[k] !== undefined)
    .sort();
}

export function createPhoneService(deps: PhoneServiceDeps) {
  const { records } = deps;
  const view = (tenantId: TenantId, r: StoredRecord, showNumber: boolean) =>
    phoneViewOf(records, tenantId, r, showNumber);

  /** The id of the tenant's phone with this E.164 number (through the blind index), if any. */
  async function idOfNumber(tenantId: TenantId, e164: string): Promise<string | undefined> {
    const n = normalizePhoneNumber(e164, { allowedTypes: PHONE_NUMBER_TYPES });
    const r = await records.findByBlindIndex(
      'phones',
      tenantId,
      new Secret(n.e164),
      n.normalizerVersion,
    );
    return r?.row.id;
  }

  async function findOrThrow(tenantId: TenantId, id: string): Promise<StoredRecord> {
    const record = await records.find('phones', tenantId, { id });
    if (record === undefined) throw notFound();
    return record;
  }

  return {
    async create(
      tenantId: TenantId,
      input: PhoneCreate,
      actor: Actor,
      showNumber: boolean,
    ): Promise<PhoneView> {
      const settings = await deps.settings.forPhones(tenantId);
      const n = normalizePhoneNumber(input.number.reveal(), {
        defaultCountry: input.country ?? settings.defaultCountry,
        allowedTypes: settings.allowedNumberTypes,
      });
      const id = newId();
      const exotel = input.exotel === undefined ? undefined : exotelColumns(input.exotel);
      // Not pushed to Retell on import: the number is usually imported into Retell later.
      const retell: PhoneRetell = {
        inboundAgentId: input.retell?.inboundAgentId ?? null,
        outboundAgentId: input.retell?.outboundAgentId ?? null,
        synced: false,
      };
      const number = newNumber(n);
      const record = await records.write({
        table: 'phones',
        tenantId,
        key: { id },
        plan: (existing) => {
          // A fresh UUIDv7 that is taken means something is badly wrong: never overwrite.
          if (existing !== undefined)
            throw new TelvaultError('ERR_INTERNAL', 'phones: a new id is already taken');
          return {
            seal: { ...number.seal, ...exotel?.seal },
            keep: [],
            blindIndex: number.blindIndex,
            columns: {
              ...number.columns,
              provider: input.provider,
              label: input.label ?? null,
              tags_json: JSON.stringify(input.tags ?? []),
              exotel_public_json: exotel === undefined ? null : JSON.stringify(exotel.json),
              retell_json: retellJson(retell),
            },
            audit: {
              actor,
              action: 'phone.create',
              target: `phone:${id}`,
              detail: { provider: input.provider, fields: sentFields(input) },
            },
          };
        },
      });
      return view(tenantId, record, showNumber);
    },

    async get(tenantId: TenantId, id: string, showNumber: boolean): Promise<PhoneView> {
      return view(tenantId, await findOrThrow(tenantId, id), showNumber);
    },

    /**
     * The tenant's phone with this E.164 number as an import writes it: its id, label, tags and
     * its own Exotel account (key and token opened in-process, wrapped), for the import to compare
     * with; never returned by a route. undefined: the tenant has no phone with this number.
     */
    async held(
      tenantId: TenantId,
      e164: string,
    ): Promise<{ id: string; fields: Record<string, Secret<string> | string[]> } | undefined> {
      const n = normalizePhoneNumber(e164, { allowedTypes: PHONE_NUMBER_TYPES });
      const record = await records.findByBlindIndex(
        'phones',
        tenantId,
        new Secret(n.e164),
        n.normalizerVersion,
      );
      if (record === undefined) return undefined;
      const fields: Record<string, Secret<string> | string[]> = { tags: tagsOf(record) };
      const label = record.row['label'];
      if (typeof label === 'string') fields['label'] = new Secret(label);
      const exotel = exotelOf(record);
      if (exotel !== null) {
        fields['exotel.sid'] = new Secret(exotel.sid);
        fields['exotel.subdomain'] = new Secret(exotel.subdomain);
      }
      const key = await records.open('phones', tenantId, record, EXOTEL_KEY_FIELD);
      const token = await records.open('phones', tenantId, record, EXOTEL_TOKEN_FIELD);
      if (key !== undefined) fields['exotel.apiKey'] = key;
      if (token !== undefined) fields['exotel.apiToken'] = token;
      return { id: record.row.id, fields };
    },

    async list(tenantId: TenantId, q: PhoneListQuery, showNumber: boolean): Promise<PhonePageView> {
      const limit = q.limit ?? DEFAULT_PAGE;
      // One more than the page: whether there is a next one, without a count.
      const rows = await records.page('phones', tenantId, {
        after: q.cursor,
        limit: limit + 1,
        where: q.provider === undefined ? {} : { provider: q.provider },
        // Tags are stored as a JSON array of strings the tag rule keeps free of quotes.
        contains: q.tag === undefined ? undefined : { column: 'tags_json', text: `"${q.tag}"` },
      });
      const page = rows.slice(0, limit);
      return {
        phones: await Promise.all(page.map((r) => view(tenantId, r, showNumber))),
        nextCursor: rows.length > limit ? (page.at(-1)?.row.id ?? null) : null,
      };
    },

    async update(
      tenantId: TenantId,
      id: string,
      patch: PhonePatch,
      actor: Actor,
      showNumber: boolean,
    ): Promise<PhoneView> {
      const exotel = patch.exotel == null ? patch.exotel : exotelColumns(patch.exotel);
      // A change of agent ids goes to Retell first: if Retell refuses, nothing is stored.
      let synced: boolean | undefined;
      if (patch.retell !== undefined) {
        const current = await findOrThrow(tenantId, id);
        const next = mergeRetell(retellOf(current), patch.retell);
        synced = await deps.providers.pushRetell(tenantId, current, next, actor);
      }
      const record = await records.write({
        table: 'phones',
        tenantId,
        key: { id },
        plan: (existing): RecordWritePlan => {
          if (existing === undefined) throw notFound();
          const retell = mergeRetell(retellOf(existing), patch.retell);
          if (synced !== undefined) retell.synced = synced;
          const keptExotel = exotel === undefined ? [EXOTEL_KEY_FIELD, EXOTEL_TOKEN_FIELD] : [];
          const exotelJson =
            exotel === undefined ? exotelOf(existing) : exotel === null ? null : exotel.json;
          return {
            seal: exotel == null ? {} : exotel.seal,
            keep: [NUMBER_FIELD, ...keptExotel],
            columns: {
              label:
                patch.label === undefined
                  ? ((existing.row['label'] as string | null) ?? null)
                  : patch.label,
              tags_json: JSON.stringify(
                patch.tags === undefined ? tagsOf(existing) : (patch.tags ?? []),
              ),
              exotel_public_json: exotelJson === null ? null : JSON.stringify(exotelJson),
              retell_json: retellJson(retell),
            },
            audit: {
              actor,
              action: 'phone.update',
              target: `phone:${id}`,
              detail: {
                fields: sentFields(patch),
                ...(synced === undefined ? {} : { retellSynced: synced }),
              },
            },
          };
        },
      });
      return view(tenantId, record, showNumber);
    },

    async remove(tenantId: TenantId, id: string, actor: Actor): Promise<void> {
      await records.remove({
        table: 'phones',
        tenantId,
        key: { id },
        audit: { actor, action: 'phone.delete', target: `phone:${id}` },
        notFound: 'phone not found',
      });
    },

    /**
     * Records a number the trunk workflow bought (or re-records it: the id is the purchase's,
     * chosen before the purchase), linked to the trunk, Retell-carried. A number the tenant
     * already has as another phone is ERR_PHONE_EXISTS.
     */
    async recordTrunkNumber(
      tenantId: TenantId,
      input: {
        id: string;
        e164: string;
        trunkId: string;
        twilioSid: string;
        label: string | null;
        retell: PhoneRetell;
      },
      actor: Actor,
      showNumber: boolean,
    ): Promise<PhoneView> {
      const number = newNumber(
        normalizePhoneNumber(input.e164, { allowedTypes: PHONE_NUMBER_TYPES }),
      );
      const record = await records.write({
        table: 'phones',
        tenantId,
        key: { id: input.id },
        plan: (existing) => ({
          seal: existing === undefined ? number.seal : {},
          keep: existing === undefined ? [] : [NUMBER_FIELD, EXOTEL_KEY_FIELD, EXOTEL_TOKEN_FIELD],
          ...(existing === undefined ? { blindIndex: number.blindIndex } : {}),
          columns: {
            ...number.columns,
            provider: 'retell',
            label: input.label,
            tags_json: existing === undefined ? '[]' : JSON.stringify(tagsOf(existing)),
            exotel_public_json:
              existing === undefined
                ? null
                : ((existing.row['exotel_public_json'] as string | null) ?? null),
            retell_json: retellJson(input.retell),
            trunk_id: input.trunkId,
            twilio_sid: input.twilioSid,
          },
          audit: {
            actor,
            action: existing === undefined ? 'phone.create' : 'phone.update',
            target: `phone:${input.id}`,
            detail: { provider: 'retell', trunk: true },
          },
        }),
      });
      return view(tenantId, record, showNumber);
    },

    idOfNumber,

    /** Whether the tenant has a phone with this E.164 number (through the blind index). */
    async hasNumber(tenantId: TenantId, e164: string): Promise<boolean> {
      return (await idOfNumber(tenantId, e164)) !== undefined;
    },

    /** Links a phone to the trunk (attach) or unlinks it (detach: both null). */
    async setTrunk(
      tenantId: TenantId,
      id: string,
      link: { trunkId: string; twilioSid: string; retell?: PhoneRetell } | null,
      actor: Actor,
      showNumber: boolean,
    ): Promise<PhoneView> {
      const record = await records.write({
        table: 'phones',
        tenantId,
        key: { id },
        plan: (existing) => {
          if (existing === undefined) throw notFound();
          return {
            seal: {},
            keep: [NUMBER_FIELD, EXOTEL_KEY_FIELD, EXOTEL_TOKEN_FIELD],
            // Detached, the number is still the tenant's at Twilio: its sid stays.
            columns: {
              trunk_id: link?.trunkId ?? null,
              ...(link === null ? {} : { twilio_sid: link.twilioSid }),
              ...(link?.retell === undefined ? {} : { retell_json: retellJson(link.retell) }),
            },
            audit: {
              actor,
              action: link === null ? 'phone.trunk.detach' : 'phone.trunk.attach',
              target: `phone:${id}`,
            },
          };
        },
      });
      return view(tenantId, record, showNumber);
    },

    /** The phone's record (its number opened) for the trunk workflow. */
    async numberOf(
      tenantId: TenantId,
      id: string,
    ): Promise<{ e164: string; record: StoredRecord }> {
      const record = await findOrThrow(tenantId, id);
      const n = await records.open('phones', tenantId, record, NUMBER_FIELD);
      if (n === undefined) throw new TelvaultError('ERR_INTERNAL', 'phones: a phone has no number');
      return { e164: n.reveal(), record };
    },

    /** A phone a call or message starts from: its number opened, its provider and accounts. */
    async sendingPhone(tenantId: TenantId, id: string): Promise<SendingPhone> {
      const record = await findOrThrow(tenantId, id);
      const n = await records.open('phones', tenantId, record, NUMBER_FIELD);
      if (n === undefined) throw new TelvaultError('ERR_INTERNAL', 'phones: a phone has no number');
      return {
        id,
        e164: n.reveal(),
        provider: String(record.row['provider']) as PhoneProvider,
        exotel: exotelOf(record),
        retell: retellOf(record),
        record,
      };
    },

    /** The phone's own Exotel credentials for one use (`operation`), audited before opening. */
    exotelCredentials: (
      tenantId: TenantId,
      phone: SendingPhone,
      operation: string,
      actor: Actor,
    ): Promise<ExotelCredentials> =>
      deps.providers.openExotel(tenantId, phone.record, operation, actor),

    /** Checks the phone's own Exotel account at Exotel (audited as a use, then its outcome). */
    async verifyExotel(tenantId: TenantId, id: string, actor: Actor): Promise<PhoneVerifyResult> {
      return deps.providers.verifyExotel(tenantId, await findOrThrow(tenantId, id), actor);
    },

    /** Exact match through the blind index; any type is found (the allowed list may have narrowed). */
    async lookup(tenantId: TenantId, input: PhoneLookup, showNumber: boolean): Promise<PhoneView> {
      const text = input.number.reveal();
      // A number in international form needs no region: the settings are not read for it (one
      // query less on the hot path of inbound-call routing).
      const international = text.normalize('NFKC').trim().startsWith('+');
      const defaultCountry =
        input.country ??
        (international ? undefined : (await deps.settings.forPhones(tenantId)).defaultCountry);
      const n = normalizePhoneNumber(text, {
        defaultCountry,
        allowedTypes: PHONE_NUMBER_TYPES,
      });
      const record = await records.findByBlindIndex(
        'phones',
        tenantId,
        new Secret(n.e164),
        n.normalizerVersion,
      );
      if (record === undefined) throw notFound();
      return view(tenantId, record, showNumber);
    },
  };
}

export type PhoneService = ReturnType<typeof createPhoneService>;
