// The five steps of setting up a tenant's trunk at Twilio, each re-entrant: it looks at what is
// recorded and at what Twilio shows, adopts what is already there, and writes at Twilio only when
// something is missing, recording its intent (and `sent`) before the write and its result after.
// Never deletes and recreates a credential to learn its password, and never changes the password
// of a credential telvault did not create (providers.md §9).
import { randomBytes } from 'node:crypto';
import type { Secret } from '../../crypto/index.js';
import { TelvaultError } from '../../errors.js';
import { ProviderError } from '../../providers/provider-error.js';
import type { TwilioClient } from '../../providers/twilio/index.js';
import type { StoredRecord } from '../records/index.js';
import {
  generateSipPassword,
  ORIGINATION_FRIENDLY_NAME,
  trunkDomain,
  trunkFriendlyName,
} from './trunk-names.js';
import { PASSWORD_FIELD, type StepWrite, type TrunkColumns } from './trunk-record.js';
import type { TrunkSetup } from './trunk-schemas.js';
import {
  originationsOf,
  stepsOf,
  type Origin,
  type OriginationUrl,
  type StepRecord,
  type Steps,
  type TrunkStep,
} from './trunk-state.js';

/** What a step works with: the run's client, the current record, and the recorder. */
export interface StepRun {
  tenantId: string;
  client: TwilioClient;
  input: TrunkSetup;
  originationUri: string;
  current(): StoredRecord;
  columns(): TrunkColumns;
  /** Records a step's intent or result (under the lease). */
  record(w: StepWrite): Promise<void>;
  /** The sealed SIP password of the current record, opened. */
  password(): Promise<Secret<string>>;
  /** Renews the lease; call before each provider write. */
  beforeWrite(): Promise<void>;
  note(text: string): void;
}

const DOMAIN_TAKEN = new Set(['21248', '21241']);
const MAX_SALTS = 3;

const isClientError = (err: unknown): err is ProviderError =>
  err instanceof ProviderError && err.status !== undefined && err.status >= 400 && err.status < 500;

const isNotFound = (err: unknown): boolean =>
  err instanceof ProviderError && err.code === 'ERR_PROVIDER_NOT_FOUND';

const now = () => new Date().toISOString();

function withStep(run: StepRun, step: TrunkStep, rec: StepRecord): Steps {
  return { ...stepsOf(run.current()), [step]: rec };
}

function stepWrite(
  run: StepRun,
  step: TrunkStep,
  rec: StepRecord,
  columns: Partial<TrunkColumns> = {},
  extra: Pick<StepWrite, 'seal'> = {},
): StepWrite {
  return {
    columns: { ...columns, steps_json: JSON.stringify(withStep(run, step, rec)) },
    ...extra,
    action: `trunk.step.${rec.status === 'done' ? 'done' : 'intent'}`,
    detail: {
      step,
      ...(rec.origin === undefined ? {} : { origin: rec.origin }),
      ...(rec.sent === true ? { sent: true } : {}),
    },
  };
}

/** Records a step done unless it already is, with these very values (a re-run writes nothing). */
async function done(
  run: StepRun,
  step: TrunkStep,
  result: { sid: string; origin: Origin; intent?: Record<string, string> | undefined },
  columns: Partial<TrunkColumns>,
): Promise<void> {
  const prev = stepsOf(run.current())[step];
  const cols = run.columns();
  const same =
    prev?.status === 'done' &&
    prev.sid === result.sid &&
    prev.origin === result.origin &&
    Object.entries(columns).every(([c, v]) => cols[c as keyof TrunkColumns] === v);
  if (same) return;
  const rec: StepRecord = {
    status: 'done',
    at: now(),
    sid: result.sid,
    origin: result.origin,
    ...(result.intent === undefined ? {} : { intent: result.intent }),
  };
  await run.record(stepWrite(run, step, rec, columns));
}

async function intent(
  run: StepRun,
  step: TrunkStep,
  values: Record<string, string> | undefined,
  sent: boolean,
  extra: Pick<StepWrite, 'seal'> = {},
): Promise<void> {
  const prev = stepsOf(run.current())[step];
  const rec: StepRecord = {
    status: 'intent',
    at: now(),
    ...(sent || prev?.sent === true ? { sent: true } : {}),
    ...(values === undefined ? {} : { intent: values }),
  };
  await run.record(stepWrite(run, step, rec, {}, extra));
}

/** Origin of a resource found at Twilio under our own name: created if we ever sent its create. */
const originFound = (prev: StepRecord | undefined, sid: string): Origin =>
  prev?.sid === sid && prev.origin !== undefined
    ? prev.origin
    : prev?.sent === true
      ? 'created'
      : 'adopted';

export async function trunkStep(run: StepRun): Promise<void> {
  const { client } = run;
  const prev = stepsOf(run.current()).trunk;
  const adopt = run.input.adopt;
  const recordedSid = run.columns().trunk_sid;
  if (adopt !== undefined) {
    if (recordedSid !== null && recordedSid !== adopt.trunkSid) {
      throw new TelvaultError(
        'ERR_TRUNK_CONFLICT',
        `adopt.trunkSid: the tenant already has trunk ${recordedSid}; delete it first`,
      );
    }
    const t = await adoptableTrunk(client, adopt.trunkSid);
    await done(
      run,
      'trunk',
      { sid: t.sid, origin: originFound(prev, t.sid) },
      { trunk_sid: t.sid, domain_name: t.domainName, termination_uri: t.domainName },
    );
    return;
  }
  if (recordedSid !== null && prev?.status === 'done') {
    try {
      const t = await client.run('trunks.fetch', (sdk) =>
        sdk.trunking.v1.trunks(recordedSid).fetch(),
      );
      await done(
        run,
        'trunk',
        { sid: t.sid, origin: prev.origin ?? 'adopted', intent: prev.intent },
        { domain_name: t.domainName, termination_uri: t.domainName },
      );
      return;
    } catch (err) {
      if (!isNotFound(err)) throw err;
      run.note(`trunk ${recordedSid} was gone at Twilio: a new one was made`);
    }
  }
  let salt = prev?.intent?.['salt'];
  for (let attempt = 0; ; attempt += 1) {
    const domainName = trunkDomain(run.tenantId, salt);
    const want = { domainName, ...(salt === undefined ? {} : { salt }) };
    const list = await client.run('trunks.list', (sdk) => sdk.trunking.v1.trunks.list());
    const found = list.find((t) => t.domainName === domainName);
    const cur = stepsOf(run.current()).trunk;
    if (found !== undefined) {
      await done(
        run,
        'trunk',
        {
          sid: found.sid,
          origin:
            cur?.intent?.['domainName'] === domainName ? originFound(cur, found.sid) : 'adopted',
          intent: want,
        },
        { trunk_sid: found.sid, domain_name: domainName, termination_uri: domainName },
      );
      return;
    }
    await intent(run, 'trunk', want, true);
    await run.beforeWrite();
    try {
      const t = await client.run('trunks.create', (sdk) =>
        sdk.trunking.v1.trunks.create({
          domainName,
          friendlyName: trunkFriendlyName(run.tenantId),
        }),
      );
      await done(
        run,
        'trunk',
        { sid: t.sid, origin: 'created', intent: want },
        { trunk_sid: t.sid, domain_name: domainName, termination_uri: domainName },
      );
      return;
    } catch (err) {
      const code = err instanceof ProviderError ? String(err.providerCode ?? '') : '';
      if (!DOMAIN_TAKEN.has(code) || attempt >= MAX_SALTS) throw err;
      // Ours after all (a concurrent or lost create)? The next loop's list adopts it. Otherwise
      // quarantined or another account's: a salted label, recorded before it is tried.
      const again = await client.run('trunks.list', (sdk) => sdk.trunking.v1.trunks.list());
      if (again.some((t) => t.domainName === domainName)) continue;
      salt = randomBytes(6).toString('hex');
      run.note(`domain ${domainName} was taken or quarantined at Twilio: a salted one was used`);
      await intent(run, 'trunk', { domainName: trunkDomain(run.tenantId, salt), salt }, false);
    }
  }
}

export async function credentialListStep(run: StepRun): Promise<void> {
  const { client } = run;
  const trunkSid = run.columns().trunk_sid ?? '';
  const accountSid = client.accountSid;
  const prev = stepsOf(run.current()).credentialList;
  const friendlyName = trunkFriendlyName(run.tenantId);
  const associated = await client.run('trunks.credentialLists.list', (sdk) =>
    sdk.trunking.v1.trunks(trunkSid).credentialsLists.list(),
  );
  if (associated.length > 0) {
    const recorded = prev?.sid;
    let chosen = associated.find((l) => l.sid === recorded)?.sid;
    const credentialSid = run.input.adopt?.credentialSid;
    if (chosen === undefined && credentialSid !== undefined) {
      for (const l of associated) {
        const creds = await client.run('sip.credentials.list', (sdk) =>
          sdk.api.v2010.accounts(accountSid).sip.credentialLists(l.sid).credentials.list(),
        );
        if (creds.some((c) => c.sid === credentialSid)) chosen = l.sid;
      }
    }
    const sorted = [...associated].sort(
      (a, b) => +a.dateCreated - +b.dateCreated || (a.sid < b.sid ? -1 : 1),
    );
    chosen ??= sorted[0]?.sid ?? '';
    await done(
      run,
      'credentialList',
      { sid: chosen, origin: originFound(prev, chosen), intent: { friendlyName } },
      { credential_list_sid: chosen },
    );
    return;
  }
  const lists = await client.run('sip.credentialLists.list', (sdk) =>
    sdk.api.v2010.accounts(accountSid).sip.credentialLists.list(),
  );
  const byRecord = lists.find((l) => l.sid === prev?.sid);
  const byName = lists
    .filter((l) => l.friendlyName === friendlyName)
    .sort((a, b) => +a.dateCreated - +b.dateCreated || (a.sid < b.sid ? -1 : 1))[0];
  const found = byRecord ?? byName;
  if (found !== undefined) {
    await done(
      run,
      'credentialList',
      { sid: found.sid, origin: originFound(prev, found.sid), intent: { friendlyName } },
      { credential_list_sid: found.sid },
    );
    return;
  }
  await intent(run, 'credentialList', { friendlyName }, true);
  await run.beforeWrite();
  const created = await client.run('sip.credentialLists.create', (sdk) =>
    sdk.api.v2010.accounts(accountSid).sip.credentialLists.create({ friendlyName }),
  );
  await done(
    run,
    'credentialList',
    { sid: created.sid, origin: 'created', intent: { friendlyName } },
    { credential_list_sid: created.sid },
  );
}

export async function credentialStep(run: StepRun): Promise<void> {
  const { client } = run;
  const accountSid = client.accountSid;
  const listSid = run.columns().credential_list_sid ?? '';
  const prev = stepsOf(run.current()).credential;
  const creds = () =>
    client.run('sip.credentials.list', (sdk) =>
      sdk.api.v2010.accounts(accountSid).sip.credentialLists(listSid).credentials.list(),
    );
  const inList = await creds();
  const adopt = run.input.adopt;
  if (adopt?.password !== undefined) {
    let target;
    if (adopt.credentialSid !== undefined) {
      target = inList.find((c) => c.sid === adopt.credentialSid);
      if (target === undefined)
        throw new TelvaultError(
          'ERR_TRUNK_ADOPT_INVALID',
          "adopt.credentialSid: not in the trunk's credential list",
        );
    } else if (inList.length === 1) {
      target = inList[0];
    } else {
      throw new TelvaultError(
        'ERR_TRUNK_ADOPT_INVALID',
        inList.length === 0
          ? "adopt.password: the trunk's credential list holds no credential"
          : `adopt.credentialSid: required, the trunk's credential list holds ${inList.length} credentials`,
      );
    }
    if (target === undefined) throw new TelvaultError('ERR_INTERNAL', 'trunks: no credential');
    // Recorded as adopted with the password the platform knows: nothing is written at Twilio.
    const rec: StepRecord = { status: 'done', at: now(), sid: target.sid, origin: 'adopted' };
    await run.record(
      stepWrite(
        run,
        'credential',
        rec,
        { credential_sid: target.sid, username: target.username },
        { seal: { [PASSWORD_FIELD]: adopt.password } },
      ),
    );
    return;
  }
  const username = run.columns().username ?? '';
  const mine = inList.find((c) => c.username === username);
  if (mine !== undefined) {
    if (prev?.status === 'done' && prev.sid === mine.sid) return;
    if (prev?.sid === mine.sid && prev.origin === 'adopted') {
      // The platform's credential, adopted earlier with its password: never changed here.
      await done(
        run,
        'credential',
        { sid: mine.sid, origin: 'adopted' },
        { credential_sid: mine.sid },
      );
      return;
    }
    await rotateUnknown(run, mine.sid);
    return;
  }
  if (prev?.origin === 'adopted' && prev.sid !== undefined) {
    // The adopted credential is gone at Twilio: telvault makes its own (a fresh username).
    run.note(`adopted credential ${prev.sid} is gone at Twilio: telvault made its own`);
  }
  await intent(run, 'credential', { username }, true);
  await run.beforeWrite();
  const password = await run.password();
  try {
    const c = await client.run('sip.credentials.create', (sdk) =>
      sdk.api.v2010
        .accounts(accountSid)
        .sip.credentialLists(listSid)
        .credentials.create({ username, password: password.reveal() }),
    );
    await done(run, 'credential', { sid: c.sid, origin: 'created' }, { credential_sid: c.sid });
  } catch (err) {
    if (!isClientError(err)) throw err;
    // A duplicate username (a lost create): it is ours, so its password is made known.
    const again = (await creds()).find((c) => c.username === username);
    if (again === undefined) throw err;
    await rotateUnknown(run, again.sid);
  }
}

/**
 * The credential is telvault's (its username, in its list) but whether Twilio holds the sealed
 * password is not certain (a crash between Twilio's 201 and the commit): a new password is sealed
 * first, then set at Twilio. Never delete-and-recreate.
 */
async function rotateUnknown(run: StepRun, credentialSid: string): Promise<void> {
  const { client } = run;
  const listSid = run.columns().credential_list_sid ?? '';
  const password = generateSipPassword();
  await intent(run, 'credential', { username: run.columns().username ?? '' }, true, {
    seal: { [PASSWORD_FIELD]: password },
  });
  await run.beforeWrite();
  await client.run('sip.credentials.update', (sdk) =>
    sdk.api.v2010
      .accounts(client.accountSid)
      .sip.credentialLists(listSid)
      .credentials(credentialSid)
      .update({ password: password.reveal() }),
  );
  await done(
    run,
    'credential',
    { sid: credentialSid, origin: 'created' },
    { credential_sid: credentialSid },
  );
}

export async function associationStep(run: StepRun): Promise<void> {
  const { client } = run;
  const trunkSid = run.columns().trunk_sid ?? '';
  const listSid = run.columns().credential_list_sid ?? '';
  const prev = stepsOf(run.current()).association;
  const present = async () =>
    (
      await client.run('trunks.credentialLists.list', (sdk) =>
        sdk.trunking.v1.trunks(trunkSid).credentialsLists.list(),
      )
    ).some((l) => l.sid === listSid);
  if (await present()) {
    await done(run, 'association', { sid: listSid, origin: originFound(prev, listSid) }, {});
    return;
  }
  await intent(run, 'association', undefined, true);
  await run.beforeWrite();
  try {
    await client.run('trunks.credentialLists.create', (sdk) =>
      sdk.trunking.v1.trunks(trunkSid).credentialsLists.create({ credentialListSid: listSid }),
    );
  } catch (err) {
    // Already associated (a lost answer): re-list and treat present as success, no string match.
    if (!isClientError(err) || !(await present())) throw err;
  }
  await done(run, 'association', { sid: listSid, origin: 'created' }, {});
}

const sameSip = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

export async function originationStep(run: StepRun): Promise<void> {
  const { client } = run;
  const trunkSid = run.columns().trunk_sid ?? '';
  const prev = stepsOf(run.current()).origination;
  const want = run.originationUri;
  const known = originationsOf(run.current());
  const urls = await client.run('trunks.originationUrls.list', (sdk) =>
    sdk.trunking.v1.trunks(trunkSid).originationUrls.list(),
  );
  let match = urls.find((u) => sameSip(u.sipUrl, want));
  let origin: Origin;
  if (match !== undefined) {
    origin =
      known.find((k) => k.sid === match?.sid)?.origin ??
      (prev?.sent === true && prev.intent?.['sipUrl'] === want ? 'created' : 'adopted');
  } else {
    await intent(run, 'origination', { sipUrl: want }, true);
    await run.beforeWrite();
    match = await client.run('trunks.originationUrls.create', (sdk) =>
      sdk.trunking.v1.trunks(trunkSid).originationUrls.create({
        friendlyName: ORIGINATION_FRIENDLY_NAME,
        sipUrl: want,
        weight: 1,
        priority: 1,
        enabled: true,
      }),
    );
    origin = 'created';
  }
  // Ours with another target (the URI was changed): removed once the new one is in place.
  for (const old of known) {
    if (old.sid === match.sid || old.origin !== 'created') continue;
    if (!urls.some((u) => u.sid === old.sid)) continue;
    await run.beforeWrite();
    await client.run('trunks.originationUrls.remove', (sdk) =>
      sdk.trunking.v1.trunks(trunkSid).originationUrls(old.sid).remove(),
    );
  }
  const next: OriginationUrl[] = [{ sid: match.sid, sipUrl: match.sipUrl, origin }];
  await done(
    run,
    'origination',
    { sid: match.sid, origin, intent: { sipUrl: want } },
    { origination_json: JSON.stringify(next) },
  );
}

export const STEP_RUNNERS: Record<TrunkStep, (run: StepRun) => Promise<void>> = {
  trunk: trunkStep,
  credentialList: credentialListStep,
  credential: credentialStep,
  association: associationStep,
  origination: originationStep,
};

/** The trunk `adopt.trunkSid` names, refused when Twilio has none or it has no domain. */
async function adoptableTrunk(client: TwilioClient, trunkSid: string) {
  let t;
  try {
    t = await client.run('trunks.fetch', (sdk) => sdk.trunking.v1.trunks(trunkSid).fetch());
  } catch (err) {
    if (!isNotFound(err)) throw err;
    throw new TelvaultError(
      'ERR_TRUNK_ADOPT_INVALID',
      'adopt.trunkSid: no such trunk in the Twilio account',
    );
  }
  if (t.domainName === null || t.domainName === '') {
    throw new TelvaultError(
      'ERR_TRUNK_ADOPT_INVALID',
      'adopt.trunkSid: the trunk has no domain name (set one at Twilio first)',
    );
  }
  return { ...t, domainName: t.domainName };
}

/**
 * Checks what `adopt` names against what Twilio shows, with reads only, before anything is
 * recorded: a trunk with a domain, and (with a password) exactly the credential meant.
 */
export async function checkAdopt(
  client: TwilioClient,
  adopt: NonNullable<TrunkSetup['adopt']>,
): Promise<void> {
  await adoptableTrunk(client, adopt.trunkSid);
  if (adopt.password === undefined && adopt.credentialSid === undefined) return;
  const lists = await client.run('trunks.credentialLists.list', (sdk) =>
    sdk.trunking.v1.trunks(adopt.trunkSid).credentialsLists.list(),
  );
  const counts: number[] = [];
  for (const l of lists) {
    const creds = await client.run('sip.credentials.list', (sdk) =>
      sdk.api.v2010.accounts(client.accountSid).sip.credentialLists(l.sid).credentials.list(),
    );
    if (adopt.credentialSid !== undefined && creds.some((c) => c.sid === adopt.credentialSid))
      return;
    counts.push(creds.length);
  }
  if (adopt.credentialSid !== undefined) {
    throw new TelvaultError(
      'ERR_TRUNK_ADOPT_INVALID',
      'adopt.credentialSid: not in a credential list of the trunk',
    );
  }
  const first = counts[0] ?? 0;
  if (first !== 1) {
    throw new TelvaultError(
      'ERR_TRUNK_ADOPT_INVALID',
      first === 0
        ? "adopt.password: the trunk's credential list holds no credential"
        : `adopt.credentialSid: required, the trunk's credential list holds ${first} credentials`,
    );
  }
}

/** Errors about what was asked, found before any write: they leave the trunk as it was. */
export function isRequestError(err: unknown): boolean {
  return (
    err instanceof TelvaultError &&
    !(err instanceof ProviderError) &&
    (err.code === 'ERR_TRUNK_ADOPT_INVALID' || err.code === 'ERR_TRUNK_CONFLICT')
  );
}
