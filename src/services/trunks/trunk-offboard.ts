// Offboarding: the tenant's numbers off Retell and released (or detached) at Twilio, then what
// telvault created removed (origination URLs, the association, its credentials, the credential
// list, the trunk) and what it adopted detached and left in place, listed. Every removal treats
// "already gone" as done, so a re-run after a crash converges; the trunk row goes last.
import type { TenantId } from '../../crypto/index.js';
import { ProviderError } from '../../providers/provider-error.js';
import type { RetellClient } from '../../providers/retell/index.js';
import type { TwilioClient } from '../../providers/twilio/index.js';
import type { Actor } from '../audit/actor.js';
import type { PhoneService } from '../phones/index.js';
import type { EncryptedRecords, StoredRecord } from '../records/index.js';
import { removeNumber } from './trunk-numbers.js';
import { columnsOf } from './trunk-record.js';
import { trunkPhoneIds } from './trunk-repair.js';
import { originationsOf, stepsOf } from './trunk-state.js';

export interface OffboardResult {
  numbers: { released: number; detached: number };
  removed: { resource: string; sid: string }[];
  leftInPlace: { resource: string; sid: string }[];
}

const gone = (err: unknown) =>
  err instanceof ProviderError && err.code === 'ERR_PROVIDER_NOT_FOUND';

async function tolerant(call: () => Promise<unknown>): Promise<void> {
  try {
    await call();
  } catch (err) {
    if (!gone(err)) throw err;
  }
}

export async function offboardTrunk(input: {
  records: EncryptedRecords;
  phones: PhoneService;
  tenantId: TenantId;
  trunk: StoredRecord;
  twilio: TwilioClient;
  retell: RetellClient;
  releaseNumbers: boolean;
  actor: Actor;
  renew: () => Promise<void>;
  forget: (phoneId: string) => Promise<void>;
}): Promise<OffboardResult> {
  const { twilio, trunk } = input;
  const c = columnsOf(trunk);
  const steps = stepsOf(trunk);
  const result: OffboardResult = {
    numbers: { released: 0, detached: 0 },
    removed: [],
    leftInPlace: [],
  };
  // 1. The numbers: off Retell, then released or detached; the phone deleted or unlinked.
  for (const id of await trunkPhoneIds(input.records, input.tenantId, trunk.row.id)) {
    const { e164, record } = await input.phones.numberOf(input.tenantId, id);
    const sid = record.row['twilio_sid'];
    await input.renew();
    if (typeof sid === 'string')
      await removeNumber(twilio, input.retell, e164, sid, input.releaseNumbers);
    if (input.releaseNumbers) {
      await input.phones.remove(input.tenantId, id, input.actor);
      await input.forget(id);
      result.numbers.released += 1;
    } else {
      await input.phones.setTrunk(input.tenantId, id, null, input.actor, false);
      result.numbers.detached += 1;
    }
  }
  const trunkSid = c.trunk_sid;
  const listSid = c.credential_list_sid;
  const account = twilio.accountSid;
  const note = (created: boolean, resource: string, sid: string) =>
    (created ? result.removed : result.leftInPlace).push({ resource, sid });
  // 2. Origination URLs telvault created.
  for (const o of originationsOf(trunk)) {
    if (trunkSid !== null && o.origin === 'created') {
      await input.renew();
      await tolerant(() =>
        twilio.run('trunks.originationUrls.remove', (sdk) =>
          sdk.trunking.v1.trunks(trunkSid).originationUrls(o.sid).remove(),
        ),
      );
    }
    note(o.origin === 'created', 'originationUrl', o.sid);
  }
  // 3. Its credentials (the rotation's second one too), in whatever list they are.
  const creds = [
    { sid: c.credential_sid, created: steps.credential?.origin === 'created' },
    { sid: c.next_credential_sid, created: true },
  ];
  for (const cr of creds) {
    if (cr.sid === null || listSid === null) continue;
    const crSid = cr.sid;
    if (cr.created) {
      await input.renew();
      await tolerant(() =>
        twilio.run('sip.credentials.remove', (sdk) =>
          sdk.api.v2010.accounts(account).sip.credentialLists(listSid).credentials(crSid).remove(),
        ),
      );
    }
    note(cr.created, 'credential', crSid);
  }
  // 4. The association and the list, when telvault made the list; 5. the trunk, when it made it.
  const listCreated = steps.credentialList?.origin === 'created';
  if (trunkSid !== null && listSid !== null && listCreated) {
    await input.renew();
    await tolerant(() =>
      twilio.run('trunks.credentialLists.remove', (sdk) =>
        sdk.trunking.v1.trunks(trunkSid).credentialsLists(listSid).remove(),
      ),
    );
    await tolerant(() =>
      twilio.run('sip.credentialLists.remove', (sdk) =>
        sdk.api.v2010.accounts(account).sip.credentialLists(listSid).remove(),
      ),
    );
  }
  if (listSid !== null) note(listCreated, 'credentialList', listSid);
  if (trunkSid !== null) {
    const created = steps.trunk?.origin === 'created';
    if (created) {
      await input.renew();
      await tolerant(() =>
        twilio.run('trunks.remove', (sdk) => sdk.trunking.v1.trunks(trunkSid).remove()),
      );
    }
    note(created, 'trunk', trunkSid);
  }
  return result;
}
