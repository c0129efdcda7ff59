// Reconciling a call record with its provider: the status it has there now, and, for a call whose
// outcome is unknown (the process died after asking the provider, before recording its answer, so
// the record has no provider id), the call itself found at the provider by its numbers and time.
// Twilio (Calls list by To and From, from the record's time on) and Retell (list-calls by from and
// to number) can be searched; Exotel can only be asked about a call whose sid was recorded: for
// the others the operator looks in Exotel's call log (the error says so), never placing it again.
import type { TenantId } from '../../crypto/index.js';
import { TelvaultError } from '../../errors.js';
import type { ActivityRecords, ActivityService, CallView } from '../activity/index.js';
import { callStatusOf } from '../activity/index.js';
import type { Actor } from '../audit/actor.js';
import type { ProviderClients } from '../credentials/provider-clients.js';
import type { EncryptedRecords, StoredRecord } from '../records/index.js';
import type { PhoneService } from '../phones/index.js';

/** The operation the decryptions are audited with. Do not change. */
export const CALL_RECONCILE = 'call.reconcile';
/** Before this, a call not found at Twilio may still be on its way there. */
const NOT_PLACED_AFTER_MS = 10 * 60 * 1000;
/** Clocks differ: a provider's creation time may be a little before the record's. */
const CLOCK_SKEW_MS = 60 * 1000;

export interface ReconcileDeps {
  records: EncryptedRecords;
  activity: ActivityRecords;
  reads: ActivityService;
  clients: Pick<ProviderClients, 'twilio' | 'retell' | 'exotelWith'>;
  phones: Pick<PhoneService, 'sendingPhone' | 'exotelCredentials'>;
}

const str = (r: StoredRecord, c: string): string | null =>
  typeof r.row[c] === 'string' ? r.row[c] : null;

const unsearchable = (provider: string) =>
  new TelvaultError(
    'ERR_CONFLICT',
    `${provider}: the call's id was never recorded (the server stopped while asking ${provider}); look for it in ${provider}'s call log by its numbers and time before placing it again`,
  );

export function createCallReconciler(deps: ReconcileDeps) {
  /** What Twilio has: the call by its sid, or searched by its numbers (sid undefined). */
  async function atTwilio(tenantId: TenantId, r: StoredRecord, actor: Actor) {
    const client = await deps.clients.twilio(tenantId, CALL_RECONCILE, actor);
    const calls = client.sdk.api.v2010.accounts(client.accountSid).calls;
    const sid = str(r, 'provider_id');
    if (sid !== null) {
      const c = await client.run('calls.fetch', () => calls(sid).fetch());
      return { sid: c.sid, status: c.status };
    }
    const n = await numbersOf(tenantId, r);
    if (n === undefined) return undefined;
    const [to, from] = [n.to, n.phone.e164];
    const since = Date.parse(String(r.row['created_at'])) - CLOCK_SKEW_MS;
    const found = (await client.run('calls.list', () => calls.list({ to, from, limit: 50 })))
      .filter((c) => c.dateCreated.getTime() >= since)
      .sort((a, b) => a.dateCreated.getTime() - b.dateCreated.getTime())[0];
    return found === undefined ? undefined : { sid: found.sid, status: found.status };
  }

  /** The record's numbers: the phone it was placed from, and the destination. */
  async function numbersOf(tenantId: TenantId, r: StoredRecord) {
    const to = (await deps.records.open('call_records', tenantId, r, 'to'))?.reveal();
    const phoneId = str(r, 'phone_id');
    if (to === undefined || phoneId === null) return undefined;
    return { to, phone: await deps.phones.sendingPhone(tenantId, phoneId) };
  }

  /**
   * What Retell has: the call by its id, or the oldest call between the two numbers that no
   * other record of the tenant holds (Retell shows no creation time before a call starts).
   */
  async function atRetell(tenantId: TenantId, r: StoredRecord, actor: Actor) {
    const client = await deps.clients.retell(tenantId, CALL_RECONCILE, actor);
    const id = str(r, 'provider_id');
    if (id !== null) {
      const c = await client.getCall(id);
      return c === undefined ? undefined : { sid: c.callId, status: c.status };
    }
    const n = await numbersOf(tenantId, r);
    if (n === undefined) return undefined;
    for (const c of await client.findCalls(n.phone.e164, n.to)) {
      const taken = await deps.activity.find('call', tenantId, {
        provider: 'retell',
        provider_id: c.callId,
      });
      if (taken === undefined) return { sid: c.callId, status: c.status };
    }
    return undefined;
  }

  /** What Exotel has: only a call whose sid was recorded can be asked about. */
  async function atExotel(tenantId: TenantId, r: StoredRecord, actor: Actor) {
    const id = str(r, 'provider_id');
    if (id === null) throw unsearchable('exotel');
    const phone = await deps.phones.sendingPhone(tenantId, str(r, 'phone_id') ?? '');
    const credentials = await deps.phones.exotelCredentials(tenantId, phone, CALL_RECONCILE, actor);
    const c = await deps.clients.exotelWith(credentials).getCall(id);
    return { sid: c.callSid, status: c.status };
  }

  return {
    async reconcile(
      tenantId: TenantId,
      id: string,
      actor: Actor,
      shown: boolean,
    ): Promise<CallView> {
      const r = await deps.activity.find('call', tenantId, { id });
      if (r === undefined) throw new TelvaultError('ERR_NOT_FOUND', 'call not found');
      const provider = str(r, 'provider') ?? '';
      const known = str(r, 'provider_id') !== null;
      const at = provider === 'twilio' ? atTwilio : provider === 'retell' ? atRetell : atExotel;
      const found = await at(tenantId, r, actor);
      const status = found === undefined ? undefined : callStatusOf(provider, found.status);
      if (found !== undefined && status !== undefined) {
        if (known) await deps.activity.advance('call', tenantId, id, status, actor);
        else
          await deps.activity.settle(
            'call',
            tenantId,
            id,
            { providerId: found.sid, status },
            actor,
          );
      } else if (
        !known &&
        Date.now() - Date.parse(String(r.row['created_at'])) > NOT_PLACED_AFTER_MS
      ) {
        // Long enough that Twilio would show it: it was never placed.
        await deps.activity.settle(
          'call',
          tenantId,
          id,
          { error: { code: 'ERR_PROVIDER_NOT_FOUND', retryable: false } },
          actor,
        );
      }
      return deps.reads.get('call', tenantId, id, shown);
    },
  };
}

export type CallReconciler = ReturnType<typeof createCallReconciler>;
