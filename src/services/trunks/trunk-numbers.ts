// Numbers on the trunk: bought (with an Idempotency-Key: a concrete number chosen and recorded
// before anything is bought, adopted if the account already owns it, bought with TrunkSid and its
// trunk_sid checked), or attached (a number the tenant owns at Twilio), then placed on Retell with
// the trunk's termination URI and SIP auth (retrieve first, update if it is there), and recorded
// as a phone. Each step is re-entrant; a retry of a purchase resumes from its saved intent and
// never buys a second number (providers.md §1.7, §9.7–9.8).
import { newId } from '../../store/time.js';
import type { TenantId } from '../../crypto/index.js';
import { TelvaultError } from '../../errors.js';
import { ProviderError } from '../../providers/provider-error.js';
import type { RetellAgentWeight, RetellClient } from '../../providers/retell/index.js';
import type { TwilioClient } from '../../providers/twilio/index.js';
import type { Actor } from '../audit/actor.js';
import type { IdempotentRun } from '../idempotency/index.js';
import type { PhoneRetell } from '../phones/index.js';
import type { EncryptedRecords, StoredRecord } from '../records/index.js';
import { currentSipAuth } from './trunk-record.js';
import type { PhoneAttach, PhonePurchase } from './trunk-schemas.js';
import { str } from './trunk-state.js';

/** What a purchase records before each of its provider calls (sealed: it names the number). */
export interface PurchaseIntent {
  phoneId: string;
  number?: string;
  twilioSid?: string;
  retell?: boolean;
}

const agents = (id: string): RetellAgentWeight[] => [{ agentId: id, weight: 1 }];

/** Puts the number on Retell with the trunk's termination URI and current SIP auth. */
export async function placeOnRetell(
  records: EncryptedRecords,
  tenantId: TenantId,
  trunk: StoredRecord,
  retell: RetellClient,
  e164: string,
  placement: PhoneAttach['retell'],
): Promise<PhoneRetell> {
  const domain = str(trunk, 'domain_name') ?? '';
  const auth = await currentSipAuth(records, tenantId, trunk);
  const sipAuth = { username: auth.username, password: auth.password };
  const fields = {
    ...(placement?.nickname === undefined ? {} : { nickname: placement.nickname }),
    ...(placement?.inboundAgentId === undefined
      ? {}
      : { inboundAgents: agents(placement.inboundAgentId) }),
    ...(placement?.outboundAgentId === undefined
      ? {}
      : { outboundAgents: agents(placement.outboundAgentId) }),
  };
  const known = await retell.getNumber(e164);
  if (known === undefined) {
    try {
      await retell.importNumber({ phoneNumber: e164, terminationUri: domain, sipAuth, ...fields });
    } catch (err) {
      // Imported meanwhile (a lost answer): retrieve, then update below.
      if (!(err instanceof ProviderError) || (await retell.getNumber(e164)) === undefined)
        throw err;
      await retell.updateNumber(e164, { terminationUri: domain, sipAuth, ...fields });
    }
  } else {
    await retell.updateNumber(e164, { terminationUri: domain, sipAuth, ...fields });
  }
  return {
    inboundAgentId: placement?.inboundAgentId ?? null,
    outboundAgentId: placement?.outboundAgentId ?? null,
    synced: true,
  };
}

/** The IncomingPhoneNumber the account owns for this number, if any. */
async function owned(twilio: TwilioClient, e164: string) {
  const list = await twilio.run('incomingPhoneNumbers.list', (sdk) =>
    sdk.api.v2010
      .accounts(twilio.accountSid)
      .incomingPhoneNumbers.list({ phoneNumber: e164, limit: 20 }),
  );
  return list.find((n) => n.phoneNumber === e164);
}

/** Moves an owned number onto the trunk (and checks it landed there). */
async function onTrunk(twilio: TwilioClient, sid: string, trunkSid: string): Promise<void> {
  const n = await twilio.run('incomingPhoneNumbers.update', (sdk) =>
    sdk.api.v2010.accounts(twilio.accountSid).incomingPhoneNumbers(sid).update({ trunkSid }),
  );
  if (n.trunkSid !== trunkSid) {
    throw new TelvaultError('ERR_TRUNK_CONFLICT', 'the number did not land on the trunk at Twilio');
  }
}

export interface PurchaseSteps {
  records: EncryptedRecords;
  tenantId: TenantId;
  trunk: StoredRecord;
  twilio: TwilioClient;
  retell: RetellClient;
  input: PhonePurchase;
  run: Pick<IdempotentRun, 'resumedState' | 'saveState'>;
  /** The tenant already has a phone with this number (then nothing is bought). */
  phoneExists: (e164: string) => Promise<boolean>;
  record: (intent: Required<PurchaseIntent>, retell: PhoneRetell) => Promise<unknown>;
  actor: Actor;
}

export async function purchaseNumber(p: PurchaseSteps): Promise<unknown> {
  const { twilio, input } = p;
  const trunkSid = str(p.trunk, 'trunk_sid') ?? '';
  let intent: PurchaseIntent = (p.run.resumedState as PurchaseIntent | undefined) ?? {
    phoneId: newId(),
  };
  const save = async (next: PurchaseIntent) => {
    intent = next;
    await p.run.saveState(next, { sealed: true });
  };
  // 1. A concrete number, recorded before anything is bought (AreaCode purchases are not
  //    idempotent: a retry must buy this very number or adopt it).
  if (intent.number === undefined) {
    let e164 = input.phoneNumber?.reveal();
    if (e164 === undefined) {
      const country = input.country ?? 'US';
      const filter = {
        ...(input.areaCode === undefined ? {} : { areaCode: Number(input.areaCode) }),
        voiceEnabled: true,
        limit: 1,
      };
      const found = await twilio.run('availablePhoneNumbers.list', async (sdk) => {
        const at = sdk.api.v2010.accounts(twilio.accountSid).availablePhoneNumbers(country);
        const type = input.type ?? 'local';
        const list =
          type === 'mobile'
            ? await at.mobile.list(filter)
            : type === 'tollFree'
              ? await at.tollFree.list(filter)
              : await at.local.list(filter);
        return list.map((n) => n.phoneNumber);
      });
      e164 = found[0];
      if (e164 === undefined) {
        throw new TelvaultError('ERR_VALIDATION', 'areaCode: Twilio has no number available here');
      }
    }
    if (await p.phoneExists(e164)) {
      throw new TelvaultError(
        'ERR_PHONE_EXISTS',
        'phoneNumber: the tenant already has this number (attach it instead)',
      );
    }
    await save({ ...intent, number: e164 });
  }
  const e164 = intent.number ?? '';
  // 2. Owned already (the earlier attempt bought it)? Else bought with the trunk.
  if (intent.twilioSid === undefined) {
    const mine = await owned(twilio, e164);
    let sid: string;
    if (mine !== undefined) {
      if (mine.trunkSid !== trunkSid) await onTrunk(twilio, mine.sid, trunkSid);
      sid = mine.sid;
    } else {
      const bought = await twilio.run('incomingPhoneNumbers.create', (sdk) =>
        sdk.api.v2010.accounts(twilio.accountSid).incomingPhoneNumbers.create({
          phoneNumber: e164,
          trunkSid,
          ...(input.label === undefined ? {} : { friendlyName: input.label }),
          ...(input.addressSid === undefined ? {} : { addressSid: input.addressSid }),
          ...(input.bundleSid === undefined ? {} : { bundleSid: input.bundleSid }),
          ...(input.emergencyAddressSid === undefined
            ? {}
            : { emergencyAddressSid: input.emergencyAddressSid }),
        }),
      );
      if (bought.trunkSid !== trunkSid) await onTrunk(twilio, bought.sid, trunkSid);
      sid = bought.sid;
    }
    await save({ ...intent, twilioSid: sid });
  }
  // 3. On Retell with the trunk's auth; 4. recorded as the tenant's phone.
  const retell = await placeOnRetell(p.records, p.tenantId, p.trunk, p.retell, e164, input.retell);
  await save({ ...intent, retell: true });
  return p.record(
    { phoneId: intent.phoneId, number: e164, twilioSid: intent.twilioSid ?? '', retell: true },
    retell,
  );
}

/** Attaches a number the tenant owns at Twilio to the trunk (and Retell). */
export async function attachNumber(
  twilio: TwilioClient,
  trunk: StoredRecord,
  e164: string,
): Promise<string> {
  const trunkSid = str(trunk, 'trunk_sid') ?? '';
  const mine = await owned(twilio, e164);
  if (mine === undefined) {
    throw new TelvaultError(
      'ERR_TRUNK_CONFLICT',
      "the number is not in the tenant's Twilio account: buy it (POST …/phones/purchase)",
    );
  }
  if (mine.trunkSid !== trunkSid) await onTrunk(twilio, mine.sid, trunkSid);
  return mine.sid;
}

/** Takes a number off Retell, then releases it at Twilio or only detaches it from the trunk. */
export async function removeNumber(
  twilio: TwilioClient,
  retell: RetellClient,
  e164: string,
  twilioSid: string,
  release: boolean,
): Promise<void> {
  await retell.deleteNumber(e164);
  try {
    if (release) {
      await twilio.run('incomingPhoneNumbers.remove', (sdk) =>
        sdk.api.v2010.accounts(twilio.accountSid).incomingPhoneNumbers(twilioSid).remove(),
      );
    } else {
      await twilio.run('incomingPhoneNumbers.update', (sdk) =>
        sdk.api.v2010
          .accounts(twilio.accountSid)
          .incomingPhoneNumbers(twilioSid)
          .update({ trunkSid: '' }),
      );
    }
  } catch (err) {
    // Already released (a lost answer): nothing left to do at Twilio.
    if (!(err instanceof ProviderError && err.code === 'ERR_PROVIDER_NOT_FOUND')) throw err;
  }
}
