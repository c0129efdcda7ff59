// Activity: the tenant's calls, messages and emails with their status (and error), newest pages
// by cursor. The root token sees numbers and addresses masked and no content, as the API shows.
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { query, tenantPath, type Api } from '../api';
import { TextField } from '../components/fields';
import { Pager } from '../components/pager';
import { ErrorNotice, Loading } from '../components/notices';
import { formatTime, useLoad } from '../hooks';
import type { ActivityError, Call, Email, Message } from '../types';
import type { TenantPageProps } from './props';
import { TableScroll } from '../components/table-scroll';

interface Column<T> {
  title: string;
  cell: (row: T) => string;
}

const errorText = (e: ActivityError | null): string =>
  e === null
    ? '—'
    : `${e.code}${e.providerCode !== undefined ? ` (${String(e.providerCode)})` : ''}`;

const CALLS: Column<Call>[] = [
  { title: 'Created', cell: (c) => formatTime(c.createdAt) },
  { title: 'To', cell: (c) => c.to },
  { title: 'Provider', cell: (c) => c.provider },
  { title: 'Status', cell: (c) => c.status },
  { title: 'Error', cell: (c) => errorText(c.error) },
  { title: 'Agent', cell: (c) => c.agentId ?? '—' },
];
const MESSAGES: Column<Message>[] = [
  { title: 'Created', cell: (m) => formatTime(m.createdAt) },
  { title: 'To', cell: (m) => m.to },
  { title: 'Status', cell: (m) => m.status },
  { title: 'Error', cell: (m) => errorText(m.error) },
  { title: 'Body', cell: (m) => m.body ?? '—' },
];
const EMAILS: Column<Email>[] = [
  { title: 'Created', cell: (m) => formatTime(m.createdAt) },
  { title: 'To', cell: (m) => m.to.join(', ') },
  { title: 'Subject', cell: (m) => m.subject ?? '—' },
  { title: 'Status', cell: (m) => m.status },
  { title: 'Error', cell: (m) => errorText(m.error) },
];

export function ActivityPage(props: TenantPageProps): JSX.Element {
  const { api } = props.session;
  return (
    <>
      <h1>
        Activity · <bdi>{props.tenantName}</bdi>
      </h1>
      <ActivityList<Call>
        api={api}
        tenantId={props.tenantId}
        kind="calls"
        title="Calls"
        columns={CALLS}
      />
      <ActivityList<Message>
        api={api}
        tenantId={props.tenantId}
        kind="messages"
        title="Messages"
        columns={MESSAGES}
      />
      <ActivityList<Email>
        api={api}
        tenantId={props.tenantId}
        kind="emails"
        title="Emails"
        columns={EMAILS}
      />
    </>
  );
}

function ActivityList<T extends { id: string }>(props: {
  api: Api;
  tenantId: string;
  kind: 'calls' | 'messages' | 'emails';
  title: string;
  columns: Column<T>[];
}): JSX.Element {
  const [status, setStatus] = useState('');
  const [applied, setApplied] = useState('');
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors[cursors.length - 1];
  const list = useLoad(
    () =>
      props.api
        .get<Record<string, unknown>>(
          tenantPath(props.tenantId, `/${props.kind}`) +
            query({ status: applied, cursor, limit: 20 }),
        )
        .then((r) => ({
          rows: (r[props.kind] ?? []) as T[],
          nextCursor: (r['nextCursor'] ?? null) as string | null,
        })),
    [props.tenantId, applied, cursor],
  );
  const id = `activity-${props.kind}`;
  return (
    <section aria-labelledby={id}>
      <h2 id={id}>{props.title}</h2>
      <form
        class="filters"
        aria-label={`Filter ${props.kind}`}
        onSubmit={(e) => {
          e.preventDefault();
          setCursors([]);
          setApplied(status.trim());
        }}
      >
        <TextField
          label={`${props.title}: status`}
          name="status"
          value={status}
          onInput={setStatus}
          hint="e.g. queued, completed, failed"
        />
        <button type="submit">Filter {props.kind}</button>
      </form>
      {list.loading && list.data === undefined && <Loading />}
      <ErrorNotice error={list.error} />
      {list.data !== undefined &&
        (list.data.rows.length === 0 ? (
          <p>No {props.kind} yet.</p>
        ) : (
          <TableScroll label={`${props.kind} table`}>
            <table>
              <thead>
                <tr>
                  {props.columns.map((c) => (
                    <th key={c.title} scope="col">
                      {c.title}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {list.data.rows.map((row) => (
                  <tr key={row.id}>
                    {props.columns.map((c) => (
                      <td key={c.title}>{c.cell(row)}</td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
        ))}
      <Pager
        cursors={cursors}
        setCursors={setCursors}
        nextCursor={list.data?.nextCursor}
        previousLabel={`Previous ${props.kind}`}
        nextLabel={`More ${props.kind}`}
      />
    </section>
  );
}
