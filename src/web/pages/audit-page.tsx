// Audit: a tenant's events (or the operator stream), oldest first, paged by cursor, filtered by
// action; "Check the chain" asks the server to walk the hash chain and shows its answer.
import type { ComponentChildren, JSX } from 'preact';
import { useState } from 'preact/hooks';
import { query } from '../api';
import { TextField } from '../components/fields';
import { Pager } from '../components/pager';
import { ErrorNotice, Loading } from '../components/notices';
import { formatTime, useAction, useLoad } from '../hooks';
import type { AuditEvent, AuditVerification } from '../types';
import type { Session } from './sign-in';
import { TableScroll } from '../components/table-scroll';

export function AuditPage(props: {
  session: Session;
  path: string;
  verifyPath?: string;
  title: ComponentChildren;
}): JSX.Element {
  const { api } = props.session;
  const [action, setAction] = useState('');
  const [applied, setApplied] = useState('');
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors[cursors.length - 1];
  const list = useLoad(
    () =>
      api.get<{ events: AuditEvent[]; nextCursor: string | null }>(
        props.path + query({ action: applied, cursor, limit: 50 }),
      ),
    [props.path, applied, cursor],
  );
  return (
    <>
      <h1>{props.title}</h1>
      {props.verifyPath !== undefined && (
        <ChainCheck session={props.session} path={props.verifyPath} />
      )}
      <section aria-labelledby="audit-events">
        <h2 id="audit-events">Events</h2>
        <form
          class="filters"
          aria-label="Filter events"
          onSubmit={(e) => {
            e.preventDefault();
            setCursors([]);
            setApplied(action.trim());
          }}
        >
          <TextField
            label="Action"
            name="action"
            value={action}
            onInput={setAction}
            hint="e.g. credential.write, phone.create, token.create"
          />
          <button type="submit">Filter events</button>
        </form>
        {list.loading && list.data === undefined && <Loading />}
        <ErrorNotice error={list.error} />
        {list.data !== undefined &&
          (list.data.events.length === 0 ? (
            <p>No events.</p>
          ) : (
            <TableScroll label="Audit events table">
              <table>
                <thead>
                  <tr>
                    <th scope="col">#</th>
                    <th scope="col">At</th>
                    <th scope="col">Actor</th>
                    <th scope="col">Action</th>
                    <th scope="col">Target</th>
                    <th scope="col">Outcome</th>
                    <th scope="col">Detail</th>
                  </tr>
                </thead>
                <tbody>
                  {list.data.events.map((e) => (
                    <tr key={e.id}>
                      <td>{e.seq}</td>
                      <td>{formatTime(e.at)}</td>
                      <td>{e.actor}</td>
                      <td>{e.action}</td>
                      <td>{e.target}</td>
                      <td>{e.outcome}</td>
                      <td class="detail">{e.detail === null ? '—' : JSON.stringify(e.detail)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableScroll>
          ))}
        <Pager cursors={cursors} setCursors={setCursors} nextCursor={list.data?.nextCursor} />
      </section>
    </>
  );
}

function ChainCheck(props: { session: Session; path: string }): JSX.Element {
  const [result, setResult] = useState<AuditVerification | undefined>(undefined);
  const action = useAction();
  return (
    <section aria-labelledby="audit-chain">
      <h2 id="audit-chain">Chain check</h2>
      <p>
        Walks every event's hash back to the first: any edited, removed or reordered event breaks
        it.
      </p>
      <button
        type="button"
        disabled={action.busy}
        onClick={() =>
          action.run(async () => {
            setResult(undefined);
            setResult(await props.session.api.send<AuditVerification>('POST', props.path));
          })
        }
      >
        Check the chain
      </button>
      <ErrorNotice error={action.error} />
      {result !== undefined && (
        <div
          class={`notice ${result.ok ? 'ok' : 'error'}`}
          role="status"
          data-testid="chain-result"
        >
          {result.ok
            ? `The chain is intact: ${result.events} events checked.`
            : `The chain is broken at event ${result.problem?.seq ?? '?'}: ${result.problem?.reason ?? 'unknown fault'}.`}{' '}
          <span class="muted">Checked {formatTime(result.checkedAt)}.</span>
        </div>
      )}
    </section>
  );
}
