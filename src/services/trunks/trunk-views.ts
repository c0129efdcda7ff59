// The trunk view: what telvault recorded (sids, created or adopted, the steps with their times and
// errors) and that it holds the SIP password, never the password or any part of it.
import type { StoredRecord } from '../records/index.js';
import { PASSWORD_FIELD } from './trunk-record.js';
import type { TrunkView } from './trunk-schemas.js';
import {
  originationsOf,
  stateOf,
  stepsOf,
  str,
  TRUNK_STEPS,
  type StepError,
  type TrunkStep,
} from './trunk-state.js';

function parseError(text: string | null): StepError | null {
  return text === null ? null : (JSON.parse(text) as StepError);
}

export function trunkViewOf(r: StoredRecord, numbers: number, runNotes: string[] = []): TrunkView {
  const steps = stepsOf(r);
  const listSid = str(r, 'credential_list_sid');
  const credSid = str(r, 'credential_sid');
  const username = str(r, 'username');
  const listOrigin = steps.credentialList?.origin;
  const credOrigin = steps.credential?.origin;
  const notes = [...runNotes];
  if (listOrigin === 'adopted' && credOrigin === 'created' && credSid !== null) {
    notes.push(
      `the adopted credential list's own credentials are left untouched; telvault's credential ${credSid} serves its Retell numbers`,
    );
  }
  if (stateOf(r) === 'imported') {
    notes.push(
      `imported with the SIP username ${username ?? '?'}: PUT the trunk to adopt trunk ${str(r, 'trunk_sid') ?? '?'} and its credential`,
    );
  }
  const failed = str(r, 'failed_step');
  return {
    state: stateOf(r),
    twilioAccountSid: str(r, 'twilio_account_sid') ?? '',
    trunkSid: str(r, 'trunk_sid'),
    domainName: str(r, 'domain_name'),
    terminationUri: str(r, 'termination_uri'),
    credentialList:
      listSid === null || steps.credentialList?.status !== 'done'
        ? null
        : { sid: listSid, origin: listOrigin ?? 'adopted' },
    credential:
      credSid === null ||
      username === null ||
      r.envelopes[PASSWORD_FIELD] === undefined ||
      steps.credential?.status !== 'done'
        ? null
        : {
            sid: credSid,
            origin: credOrigin ?? 'adopted',
            username,
            password: { set: true },
          },
    originationUrls: originationsOf(r),
    steps: TRUNK_STEPS.map((name) => {
      const s = steps[name];
      if (s === undefined) return { name, status: 'pending' as const, at: null };
      return {
        name,
        status: s.status,
        at: s.at,
        ...(s.sid === undefined ? {} : { sid: s.sid }),
        ...(s.origin === undefined ? {} : { origin: s.origin }),
        ...(s.error === undefined ? {} : { error: s.error }),
      };
    }),
    failedStep: TRUNK_STEPS.includes(failed as TrunkStep) ? (failed as TrunkStep) : null,
    error: parseError(str(r, 'error_json')),
    numbers,
    notes,
  };
}
