// SIP password rotation without a dead moment. Twilio holds one password per credential, so the
// password is never changed in place: a second credential (the next username, a new password
// sealed before it is sent) is added to the trunk's list, every Retell number on the trunk is
// moved to it and checked (Retell shows the username, never the password), and only then does
// the second credential become the trunk's and the old one is deleted, if telvault created it.
// At every instant every number holds a username and password the trunk accepts. A number that
// telvault put on the trunk but the tenant's Retell key cannot see, or that failed to move,
// blocks the deletion: the rotation stops there (reported) and a re-run resumes it.
import type { TenantId } from '../../crypto/index.js';
import { ProviderError } from '../../providers/provider-error.js';
import type { RetellClient } from '../../providers/retell/index.js';
import type { TwilioClient } from '../../providers/twilio/index.js';
import type { TrunkLease } from '../../store/trunk-lease-repo.js';
import type { Actor } from '../audit/actor.js';
import type { EncryptedRecords, StoredRecord } from '../records/index.js';
import { generateSipPassword, sipUsername, usernameGeneration } from './trunk-names.js';
import {
  columnsOf,
  NEXT_PASSWORD_FIELD,
  PASSWORD_FIELD,
  TRUNK_TABLE,
  writeStep,
  type StepWrite,
} from './trunk-record.js';
import { repairNumbers, trunkPhoneNumbers } from './trunk-repair.js';
import { stepsOf, type Origin, type StepRecord } from './trunk-state.js';

export interface RotationResult {
  state: 'done' | 'blocked';
  username: string;
  credentialSid: string | null;
  previousCredentialSid: string | null;
  previousCredentialDeleted: boolean;
  numbers: { total: number; moved: number; alreadyOk: number; failed: number };
  blocked: { phoneNumber: string; reason: string }[];
}

/** The rotation's own record in steps_json (beside the setup steps). */
interface RotationRecord {
  status: 'adding' | 'moving' | 'retiring' | 'done';
  at: string;
  previousCredentialSid?: string;
  previousOrigin?: Origin;
  deleted?: boolean;
}

type StepsWithRotation = ReturnType<typeof stepsOf> & { rotation?: RotationRecord };

export interface RotationRun {
  records: EncryptedRecords;
  tenantId: TenantId;
  lease: TrunkLease;
  actor: Actor;
  twilio: TwilioClient;
  retell: RetellClient;
  renew: () => Promise<void>;
  progress: (done: number, total: number) => Promise<void>;
}

const now = () => new Date().toISOString();

export async function rotateTrunkPassword(run: RotationRun): Promise<RotationResult> {
  const { records, tenantId, twilio } = run;
  const load = async () => {
    const r = await records.find(TRUNK_TABLE, tenantId, {});
    if (r === undefined) throw new Error('trunks: the trunk row is gone');
    return r;
  };
  let cur: StoredRecord = await load();
  const record = async (w: StepWrite) => {
    cur = await writeStep(records, tenantId, run.lease, run.actor, w);
  };
  const steps = () => stepsOf(cur) as StepsWithRotation;
  const withRotation = (rot: RotationRecord, extra: Partial<StepsWithRotation> = {}) =>
    JSON.stringify({ ...steps(), ...extra, rotation: rot });
  const listSid = columnsOf(cur).credential_list_sid ?? '';
  const creds = () =>
    twilio.run('sip.credentials.list', (sdk) =>
      sdk.api.v2010.accounts(twilio.accountSid).sip.credentialLists(listSid).credentials.list(),
    );
  const result: RotationResult = {
    state: 'done',
    username: '',
    credentialSid: null,
    previousCredentialSid: null,
    previousCredentialDeleted: false,
    numbers: { total: 0, moved: 0, alreadyOk: 0, failed: 0 },
    blocked: [],
  };

  if (steps().rotation?.status !== 'retiring') {
    // 1. The second credential: its username and password recorded (sealed) before it is sent.
    let c = columnsOf(cur);
    if (c.next_username === null) {
      const generation = usernameGeneration(c.username ?? '') + 1;
      await record({
        columns: {
          next_username: sipUsername(tenantId, generation),
          next_credential_sid: null,
          steps_json: withRotation({ status: 'adding', at: now() }),
        },
        seal: { [NEXT_PASSWORD_FIELD]: generateSipPassword() },
        action: 'trunk.rotation.intent',
      });
      c = columnsOf(cur);
    }
    if (c.next_credential_sid === null) {
      const password = await records.open(TRUNK_TABLE, tenantId, cur, NEXT_PASSWORD_FIELD);
      if (password === undefined) throw new Error('trunks: no sealed next password');
      const username = c.next_username ?? '';
      const found = (await creds()).find((x) => x.username === username);
      await run.renew();
      let sid: string;
      if (found !== undefined) {
        // Ours (a lost create): its password made the sealed one.
        await twilio.run('sip.credentials.update', (sdk) =>
          sdk.api.v2010
            .accounts(twilio.accountSid)
            .sip.credentialLists(listSid)
            .credentials(found.sid)
            .update({ password: password.reveal() }),
        );
        sid = found.sid;
      } else {
        const made = await twilio.run('sip.credentials.create', (sdk) =>
          sdk.api.v2010
            .accounts(twilio.accountSid)
            .sip.credentialLists(listSid)
            .credentials.create({ username, password: password.reveal() }),
        );
        sid = made.sid;
      }
      await record({
        columns: {
          next_credential_sid: sid,
          steps_json: withRotation({ status: 'moving', at: now() }),
        },
        action: 'trunk.rotation.added',
        detail: { credentialSid: sid },
      });
    }

    // 2. Every number moved to it (repair uses the second credential while it is pending).
    const moved = await repairNumbers({
      records,
      tenantId,
      trunk: cur,
      retell: run.retell,
      dryRun: false,
      only: undefined,
      progress: run.progress,
      beforeWrite: run.renew,
    });
    result.numbers = {
      total: moved.total,
      moved: moved.fixed,
      alreadyOk: moved.alreadyOk,
      failed: moved.failed,
    };
    for (const r of moved.results)
      if (r.action === 'failed')
        result.blocked.push({ phoneNumber: r.phoneNumber, reason: r.reason ?? 'update failed' });
    // 3. Checked as Retell shows them, and telvault's own numbers all visible under the key.
    const nextUsername = columnsOf(cur).next_username ?? '';
    const visible = new Map((await run.retell.listNumbers()).map((n) => [n.phoneNumber, n]));
    for (const r of moved.results) {
      if (r.action === 'failed') continue;
      const n = visible.get(r.phoneNumber);
      if (n?.authUsername !== nextUsername)
        result.blocked.push({ phoneNumber: r.phoneNumber, reason: 'still on the old username' });
    }
    for (const n of await trunkPhoneNumbers(records, tenantId, cur.row.id)) {
      if (!visible.has(n))
        result.blocked.push({
          phoneNumber: n,
          reason: "not visible under the tenant's Retell key",
        });
    }
    if (result.blocked.length > 0) {
      result.state = 'blocked';
      result.username = nextUsername;
      result.credentialSid = columnsOf(cur).next_credential_sid;
      result.previousCredentialSid = columnsOf(cur).credential_sid;
      return result;
    }

    // 4. The second credential becomes the trunk's; the old one is remembered for deletion.
    const c2 = columnsOf(cur);
    const next = await records.open(TRUNK_TABLE, tenantId, cur, NEXT_PASSWORD_FIELD);
    if (next === undefined) throw new Error('trunks: no sealed next password');
    const credential: StepRecord = {
      status: 'done',
      at: now(),
      sid: c2.next_credential_sid ?? '',
      origin: 'created',
    };
    const previousOrigin = steps().credential?.origin ?? 'adopted';
    await record({
      columns: {
        username: c2.next_username,
        credential_sid: c2.next_credential_sid,
        next_username: null,
        next_credential_sid: null,
        steps_json: withRotation(
          {
            status: 'retiring',
            at: now(),
            ...(c2.credential_sid === null ? {} : { previousCredentialSid: c2.credential_sid }),
            previousOrigin,
          },
          { credential },
        ),
      },
      seal: { [PASSWORD_FIELD]: next },
      drop: [NEXT_PASSWORD_FIELD],
      action: 'trunk.rotation.promoted',
      detail: { credentialSid: c2.next_credential_sid ?? '' },
    });
  }

  // 5. The old credential deleted if telvault made it (an adopted one stays: others may use it).
  const rot = steps().rotation;
  const previous = rot?.previousCredentialSid;
  let deleted = false;
  if (previous !== undefined && rot?.previousOrigin === 'created') {
    await run.renew();
    try {
      await twilio.run('sip.credentials.remove', (sdk) =>
        sdk.api.v2010
          .accounts(twilio.accountSid)
          .sip.credentialLists(listSid)
          .credentials(previous)
          .remove(),
      );
    } catch (err) {
      if (!(err instanceof ProviderError && err.code === 'ERR_PROVIDER_NOT_FOUND')) throw err;
    }
    deleted = true;
  }
  await record({
    columns: {
      steps_json: withRotation({
        status: 'done',
        at: now(),
        ...(previous === undefined ? {} : { previousCredentialSid: previous }),
        deleted,
      }),
    },
    action: 'trunk.rotation.done',
    detail: { previousCredentialDeleted: deleted },
  });
  const c = columnsOf(cur);
  return {
    ...result,
    username: c.username ?? '',
    credentialSid: c.credential_sid,
    previousCredentialSid: previous ?? null,
    previousCredentialDeleted: deleted,
  };
}
