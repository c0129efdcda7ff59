// SIP trunk: state and steps, drift from a live check, set up or adopt, repair the Retell numbers
// (a dry run's table first, then the real run), rotate the SIP password with its progress, the
// numbers on the trunk, and buying one more.
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { ApiError, query, tenantPath, type Api } from '../api';
import { SecretField, TextField } from '../components/fields';
import { JobProgress } from '../components/job-progress';
import { ErrorNotice, Loading, Note } from '../components/notices';
import { formatTime, useAction, useLoad } from '../hooks';
import { followJob } from '../jobs';
import { can } from '../router';
import type { Job, Phone, RepairResult, Trunk } from '../types';
import { TrunkNumbers } from './trunk-numbers';
import type { TenantPageProps } from './props';
import { TableScroll } from '../components/table-scroll';

export function TrunkPage(props: TenantPageProps): JSX.Element {
  const { api } = props.session;
  const [live, setLive] = useState(false);
  const [note, setNote] = useState<string | undefined>(undefined);
  const trunk = useLoad<Trunk | null>(
    () =>
      api
        .get<Trunk>(
          tenantPath(props.tenantId, '/trunk') + query({ check: live ? 'live' : undefined }),
        )
        .catch((e: unknown) => {
          if (e instanceof ApiError && e.code === 'ERR_TRUNK_NOT_FOUND') return null;
          throw e;
        }),
    [props.tenantId, live],
  );
  const changed = (message: string): void => {
    setNote(message);
    trunk.reload();
  };
  const t = trunk.data;
  return (
    <>
      <h1>
        SIP trunk · <bdi>{props.tenantName}</bdi>
      </h1>
      {note !== undefined && <Note>{note}</Note>}
      {trunk.loading && t === undefined && <Loading />}
      <ErrorNotice error={trunk.error} />
      {t === null && <p>This tenant has no SIP trunk yet.</p>}
      {t != null && (
        <TrunkState
          trunk={t}
          live={live}
          onLive={() => (live ? trunk.reload() : setLive(true))}
          busy={trunk.loading}
        />
      )}
      {t !== undefined && <SetUp {...props} trunk={t} onDone={changed} />}
      {t != null && t.state === 'ready' && (
        <>
          <Repair api={api} tenantId={props.tenantId} onDone={() => trunk.reload()} />
          <RotatePassword api={api} tenantId={props.tenantId} onDone={changed} />
          <TrunkNumbers
            {...props}
            onBought={(p: Phone) => changed(`Bought ${p.number} onto the trunk.`)}
            canBuy={can(props.session.who, 'phones:write')}
            canList={can(props.session.who, 'phones:read')}
          />
        </>
      )}
    </>
  );
}

function TrunkState(props: {
  trunk: Trunk;
  live: boolean;
  onLive: () => void;
  busy: boolean;
}): JSX.Element {
  const t = props.trunk;
  return (
    <section aria-labelledby="trunk-state">
      <h2 id="trunk-state">State</h2>
      <dl class="facts">
        <div>
          <dt>State</dt>
          <dd data-testid="trunk-state">{t.state}</dd>
        </div>
        <div>
          <dt>Trunk</dt>
          <dd>{t.trunkSid ?? '—'}</dd>
        </div>
        <div>
          <dt>Termination URI</dt>
          <dd>{t.terminationUri ?? '—'}</dd>
        </div>
        <div>
          <dt>SIP username</dt>
          <dd>{t.credential?.username ?? '—'}</dd>
        </div>
        <div>
          <dt>SIP password</dt>
          <dd>{t.credential?.password.set === true ? 'set (held by telvault only)' : '—'}</dd>
        </div>
        <div>
          <dt>Numbers on the trunk</dt>
          <dd>{t.numbers}</dd>
        </div>
      </dl>
      {t.error !== null && (
        <p class="notice error">
          Failed at {t.failedStep ?? 'a step'}: {t.error.code}
          {t.error.providerCode !== null ? ` (${String(t.error.providerCode)})` : ''}
        </p>
      )}
      <TableScroll label="Trunk steps table">
        <table>
          <caption>Steps</caption>
          <thead>
            <tr>
              <th scope="col">Step</th>
              <th scope="col">Status</th>
              <th scope="col">Sid</th>
              <th scope="col">Origin</th>
              <th scope="col">At</th>
            </tr>
          </thead>
          <tbody>
            {t.steps.map((s) => (
              <tr key={s.name}>
                <td>{s.name}</td>
                <td>
                  {s.status}
                  {s.error !== undefined ? ` (${s.error.code})` : ''}
                </td>
                <td>{s.sid ?? '—'}</td>
                <td>{s.origin ?? '—'}</td>
                <td>{formatTime(s.at)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>
      {t.notes.length > 0 && (
        <ul class="notes">
          {t.notes.map((n) => (
            <li key={n}>{n}</li>
          ))}
        </ul>
      )}
      <h3>Drift</h3>
      {t.drift === undefined ? (
        <p>Not checked against Twilio and Retell yet.</p>
      ) : t.drift.length === 0 ? (
        <p data-testid="drift">No drift: Twilio and Retell match the record.</p>
      ) : (
        <ul data-testid="drift">
          {t.drift.map((d) => (
            <li key={`${d.resource}-${d.problem}`}>
              {d.resource}: {d.problem}
            </li>
          ))}
        </ul>
      )}
      <button type="button" class="secondary" disabled={props.busy} onClick={props.onLive}>
        {props.live ? 'Check live again' : 'Check live'}
      </button>
    </section>
  );
}

/** Set up (or re-run) the trunk, or adopt one made elsewhere. */
function SetUp(
  props: TenantPageProps & { trunk: Trunk | null; onDone: (message: string) => void },
): JSX.Element {
  const { api } = props.session;
  const [trunkSid, setTrunkSid] = useState('');
  const [credentialSid, setCredentialSid] = useState('');
  const [password, setPassword] = useState('');
  const setup = useAction();
  const adopt = useAction();
  const run = (body: Record<string, unknown>, message: string, action: typeof setup): void =>
    action.run(async () => {
      try {
        const t = await api.send<Trunk>('PUT', tenantPath(props.tenantId, '/trunk'), { body });
        setTrunkSid('');
        setCredentialSid('');
        props.onDone(`${message}: ${t.state}.`);
      } finally {
        setPassword('');
      }
    });
  const ready = props.trunk?.state === 'ready';
  return (
    <section aria-labelledby="trunk-setup">
      <h2 id="trunk-setup">{ready ? 'Re-run set-up' : 'Set up'}</h2>
      <p>
        Creates (or finishes) the Elastic SIP trunk with the tenant's Twilio credentials: trunk,
        credential list, a credential whose password only telvault holds, and the origination URL to
        Retell. Re-running it on a ready trunk changes nothing.
      </p>
      <button type="button" disabled={setup.busy} onClick={() => run({}, 'Set-up finished', setup)}>
        {ready ? 'Re-run set-up' : 'Set up trunk'}
      </button>
      <ErrorNotice error={setup.error} />
      {!ready && (
        <form
          class="card"
          aria-labelledby="trunk-adopt"
          onSubmit={(e) => {
            e.preventDefault();
            const a: Record<string, string> = { trunkSid: trunkSid.trim() };
            if (credentialSid.trim() !== '') a['credentialSid'] = credentialSid.trim();
            if (password !== '') a['password'] = password;
            run({ adopt: a }, 'Adopted', adopt);
          }}
        >
          <h3 id="trunk-adopt">Adopt an existing trunk</h3>
          <TextField
            label="Trunk SID"
            name="adopt.trunkSid"
            required
            value={trunkSid}
            onInput={setTrunkSid}
            error={adopt.fieldError('adopt.trunkSid')}
          />
          <TextField
            label="Credential SID"
            name="adopt.credentialSid"
            value={credentialSid}
            onInput={setCredentialSid}
            hint="Optional: with its password, the credential is adopted and nothing is written at Twilio."
            error={adopt.fieldError('adopt.credentialSid')}
          />
          <SecretField
            label="Credential password"
            name="adopt.password"
            stored={undefined}
            replacing
            value={password}
            onInput={setPassword}
            onReplace={() => undefined}
            error={adopt.fieldError('adopt.password')}
          />
          <ErrorNotice error={adopt.error} />
          <button type="submit" disabled={adopt.busy}>
            Adopt trunk
          </button>
        </form>
      )}
    </section>
  );
}

function Repair(props: { api: Api; tenantId: string; onDone: () => void }): JSX.Element {
  const [dry, setDry] = useState<RepairResult | undefined>(undefined);
  const [real, setReal] = useState<RepairResult | undefined>(undefined);
  const [job, setJob] = useState<Job | undefined>(undefined);
  const action = useAction();
  const start = (dryRun: boolean): void =>
    action.run(async () => {
      if (dryRun) {
        setDry(undefined);
        setReal(undefined);
      }
      const first = await props.api.send<Job>('POST', tenantPath(props.tenantId, '/trunk/repair'), {
        body: { dryRun },
      });
      const done = await followJob(props.api, props.tenantId, first, setJob);
      if (done.state === 'done') {
        const result = done.result as RepairResult;
        if (dryRun) setDry(result);
        else {
          setReal(result);
          setDry(undefined);
          props.onDone();
        }
      }
    });
  return (
    <section aria-labelledby="trunk-repair">
      <h2 id="trunk-repair">Repair Retell numbers</h2>
      <p>
        Finds the tenant's Retell numbers on this trunk whose SIP username is missing or wrong. The
        dry run changes nothing and lists what the repair would fix.
      </p>
      <div class="inline">
        <button type="button" disabled={action.busy} onClick={() => start(true)}>
          Dry run
        </button>
        {dry !== undefined && (
          <button type="button" class="danger" disabled={action.busy} onClick={() => start(false)}>
            Repair {dry.results.filter((r) => r.action === 'would-fix').length} numbers
          </button>
        )}
      </div>
      <ErrorNotice error={action.error} />
      {job !== undefined && action.busy && <JobProgress job={job} label="Repair" />}
      {job?.state === 'failed' && <p class="notice error">The job failed: {job.error}</p>}
      {dry !== undefined && <RepairTable result={dry} caption="Dry run: nothing changed yet" />}
      {real !== undefined && <RepairTable result={real} caption="Repair done" />}
    </section>
  );
}

function RepairTable(props: { result: RepairResult; caption: string }): JSX.Element {
  const r = props.result;
  return (
    <TableScroll label="Repair results table">
      <table data-testid={r.dryRun ? 'repair-dry-run' : 'repair-result'}>
        <caption>
          {props.caption}: {r.total} numbers, {r.fixed} fixed, {r.alreadyOk} already right,{' '}
          {r.failed} failed
        </caption>
        <thead>
          <tr>
            <th scope="col">Number</th>
            <th scope="col">Action</th>
            <th scope="col">SIP username</th>
            <th scope="col">Reason</th>
          </tr>
        </thead>
        <tbody>
          {r.results.map((x) => (
            <tr key={x.phoneNumber}>
              <td>{x.phoneNumber}</td>
              <td>{x.action}</td>
              <td>{x.authUsername ?? '—'}</td>
              <td>{x.reason ?? '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableScroll>
  );
}

function RotatePassword(props: {
  api: Api;
  tenantId: string;
  onDone: (m: string) => void;
}): JSX.Element {
  const [job, setJob] = useState<Job | undefined>(undefined);
  const action = useAction();
  return (
    <section aria-labelledby="trunk-rotate">
      <h2 id="trunk-rotate">Rotate the SIP password</h2>
      <p>
        Adds a second credential with a new password, moves every Retell number to it, then removes
        the old one: no number is ever left unable to authenticate.
      </p>
      <button
        type="button"
        disabled={action.busy}
        onClick={() =>
          action.run(async () => {
            const first = await props.api.send<Job>(
              'POST',
              tenantPath(props.tenantId, '/trunk/rotate-password'),
            );
            const done = await followJob(props.api, props.tenantId, first, setJob);
            if (done.state === 'done') props.onDone('SIP password rotated.');
          })
        }
      >
        Rotate SIP password
      </button>
      <ErrorNotice error={action.error} />
      {job !== undefined && <JobProgress job={job} label="Rotation" />}
    </section>
  );
}
