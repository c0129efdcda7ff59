// Writes one record's values through the services that own them (the encrypted-record path under
// each): credentials by provider, a phone (created, or found by its number after a run killed
// between the write and its import record, then updated), a named secret, the imported trunk.
// Each write is idempotent, so a re-run after a crash converges.
import type { Secret, TenantId } from '../../crypto/index.js';
import { TelvaultError } from '../../errors.js';
import type { Actor } from '../audit/actor.js';
import type { CredentialService } from '../credentials/credential-service.js';
import { parseCredentialInput } from '../credentials/providers.js';
import type { Provider } from '../credentials/providers.js';
import { parseInput } from '../common/validation.js';
import { normalizePhoneNumber, PHONE_NUMBER_TYPES } from '../phones/phone-number.js';
import type { PhoneService } from '../phones/phone-service.js';
import { phoneCreate, phoneLookup, phonePatch } from '../phones/phone-schemas.js';
import type { SecretService } from '../secrets/secret-service.js';
import { parseSecretInput } from '../secrets/secret-service.js';
import type { ImportedTrunkInput } from '../trunks/trunk-import.js';
import type { TrunkView } from '../trunks/trunk-schemas.js';
import type { TargetType } from './targets.js';
import type { Values } from './record-values.js';

export interface ApplyServices {
  credentials: Pick<CredentialService, 'put' | 'held'>;
  phones: Pick<PhoneService, 'create' | 'update' | 'lookup' | 'get' | 'held'>;
  secrets: Pick<SecretService, 'put'>;
  trunks: {
    recordImported(tenantId: TenantId, input: ImportedTrunkInput, actor: Actor): Promise<TrunkView>;
    heldImported(tenantId: TenantId): Promise<Record<string, Secret<string>> | undefined>;
  };
}

const text = (v: Values[string] | undefined): string | undefined =>
  v === undefined || Array.isArray(v) ? undefined : v.reveal();
const list = (v: Values[string] | undefined): string[] | undefined =>
  Array.isArray(v) ? v : undefined;
const secret = (v: Values[string] | undefined): Secret<string> => {
  if (v === undefined || Array.isArray(v))
    throw new TelvaultError('ERR_INTERNAL', 'import: a required value is missing');
  return v;
};

/** Plain fields of a target, revealed for the service's own input schema to wrap again. */
function body(values: Values, prefix = ''): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(values)) {
    if (!k.startsWith(prefix) || (prefix === '' && k.includes('.'))) continue;
    out[k.slice(prefix.length)] = Array.isArray(v) ? v : v.reveal();
  }
  return out;
}

/** The E.164 form of a phone target's number (already shape-checked). */
export function e164Of(values: Values): string {
  return normalizePhoneNumber(text(values['number']) ?? '', {
    defaultCountry: text(values['country']),
    allowedTypes: PHONE_NUMBER_TYPES,
  }).e164;
}

async function applyPhone(
  s: ApplyServices,
  tenantId: TenantId,
  values: Values,
  ref: string | undefined,
  actor: Actor,
): Promise<string> {
  const exotel = values['exotel.apiKey'] === undefined ? undefined : body(values, 'exotel.');
  const patch = () =>
    parseInput(phonePatch, {
      label: text(values['label']),
      tags: list(values['tags']),
      exotel,
    });
  let id = ref;
  if (id !== undefined) {
    // The phone this record made: gone (deleted since) means made again; its number is fixed.
    const current = await s.phones.get(tenantId, id, true).catch((err: unknown) => {
      if (err instanceof TelvaultError && err.code === 'ERR_NOT_FOUND') return undefined;
      throw err;
    });
    if (current === undefined) id = undefined;
    else if (current.number !== e164Of(values)) {
      throw new TelvaultError(
        'ERR_VALIDATION',
        "number: changed at the source, and a phone's number cannot change: delete the phone, then import again",
      );
    }
  }
  if (id === undefined) {
    try {
      const created = await s.phones.create(
        tenantId,
        parseInput(phoneCreate, {
          number: text(values['number']),
          country: text(values['country']),
          provider: text(values['provider']),
          label: text(values['label']),
          tags: list(values['tags']),
          exotel,
        }),
        actor,
        false,
      );
      return created.id;
    } catch (err) {
      if (!(err instanceof TelvaultError) || err.code !== 'ERR_PHONE_EXISTS') throw err;
      // Written by a run that was killed before it recorded it: it is this record's phone.
      const lookup = parseInput(phoneLookup, {
        number: text(values['number']),
        country: text(values['country']),
      });
      id = (await s.phones.lookup(tenantId, lookup, false)).id;
    }
  }
  await s.phones.update(tenantId, id, patch(), actor, false);
  return id;
}

/** Writes the values; returns what was written (the import record's target_ref). */
export async function applyTarget(
  s: ApplyServices,
  type: TargetType,
  tenantId: TenantId,
  values: Values,
  ref: string | undefined,
  actor: Actor,
): Promise<string> {
  if (type.startsWith('credentials:')) {
    const provider = type.slice('credentials:'.length) as Provider;
    await s.credentials.put(
      tenantId,
      provider,
      parseCredentialInput(provider, body(values)),
      actor,
      false,
    );
    return provider;
  }
  switch (type) {
    case 'phone':
      return applyPhone(s, tenantId, values, ref, actor);
    case 'secret': {
      const name = text(values['name']) ?? '';
      await s.secrets.put(
        tenantId,
        name,
        parseSecretInput({ value: text(values['value']) }),
        actor,
      );
      return name;
    }
    case 'trunk':
      await s.trunks.recordImported(
        tenantId,
        {
          trunkSid: text(values['trunkSid']) ?? '',
          domainName: text(values['domainName']) ?? null,
          accountSid: text(values['accountSid']) ?? '',
          username: text(values['username']) ?? '',
          password: secret(values['password']),
        },
        actor,
      );
      return 'trunk';
    default:
      return tenantId;
  }
}
