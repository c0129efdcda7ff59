// Keys: the tenant's data-key and blind-index-key versions with their states and rows, and a
// rotation's live progress (GET …/keys polled every second while one is unfinished). The root
// token may start a rotation; key material never reaches the console (the API has none to give).
import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { tenantPath } from '../api';
import { SelectField } from '../components/fields';
import { ErrorNotice, Loading, Note } from '../components/notices';
import { formatTime, useAction, useLoad } from '../hooks';
import type { KeyRotation, KeyVersion, TenantKeys } from '../types';
import type { TenantPageProps } from './props';
import { TableScroll } from '../components/table-scroll';

const POLL_MS = 1000;

export function KeysPage(props: TenantPageProps): JSX.Element {
  const { api, who } = props.session;
  const keys = useLoad(
    () => api.get<TenantKeys>(tenantPath(props.tenantId, '/keys')),
    [props.tenantId],
  );
  const [note, setNote] = useState<string | undefined>(undefined);
  const rotation = keys.data?.rotation ?? null;
  const running =
    rotation !== null && (rotation.state === 'pending' || rotation.state === 'running');
  // While a rotation is unfinished, ask again every second: the page follows its progress.
  useEffect(() => {
    if (!running) return;
    const timer = setTimeout(keys.reload, POLL_MS);
    return () => clearTimeout(timer);
  }, [running, keys.data, keys.reload]);
  return (
    <>
      <h1>
        Keys · <bdi>{props.tenantName}</bdi>
      </h1>
      {note !== undefined && <Note>{note}</Note>}
      {keys.loading && keys.data === undefined && <Loading />}
      <ErrorNotice error={keys.error} />
      {rotation !== null && <RotationProgress rotation={rotation} />}
      {keys.data !== undefined && (
        <>
          <KeyTable id="keys-data" title="Data keys" rows="Rows sealed" keys={keys.data.dataKeys} />
          <KeyTable
            id="keys-index"
            title="Blind-index keys"
            rows="Rows indexed"
            keys={keys.data.indexKeys}
          />
        </>
      )}
      {who.kind === 'root' && (
        <Rotate
          {...props}
          disabled={running}
          onStarted={(r) => {
            setNote(`Rotation of the ${r.kind} key started.`);
            keys.reload();
          }}
        />
      )}
    </>
  );
}

function KeyTable(props: {
  id: string;
  title: string;
  rows: string;
  keys: KeyVersion[];
}): JSX.Element {
  return (
    <section aria-labelledby={props.id}>
      <h2 id={props.id}>{props.title}</h2>
      <TableScroll label={`${props.title} table`}>
        <table data-testid={props.id}>
          <thead>
            <tr>
              <th scope="col">Version</th>
              <th scope="col">State</th>
              <th scope="col">{props.rows}</th>
              <th scope="col">Master key</th>
              <th scope="col">Created</th>
            </tr>
          </thead>
          <tbody>
            {props.keys.map((k) => (
              <tr key={k.version}>
                <td>v{k.version}</td>
                <td>{k.state}</td>
                <td>{k.rows}</td>
                <td>
                  {k.masterKeyId} ({k.masterKeyProvider})
                </td>
                <td>{formatTime(k.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>
    </section>
  );
}

function RotationProgress(props: { rotation: KeyRotation }): JSX.Element {
  const r = props.rotation;
  return (
    <section aria-labelledby="keys-rotation" class="card">
      <h2 id="keys-rotation">Rotation in progress</h2>
      <div class="job" role="status" data-testid="key-rotation">
        <label>
          {r.kind} key{r.toVersion !== null ? ` → v${r.toVersion}` : ''}: {r.state}
          {r.active ? '' : ' (stopped: start it again to resume)'} · {r.done} of {r.total} rows
          <progress max={r.total > 0 ? r.total : 1} value={r.total > 0 ? r.done : 0} />
        </label>
        {r.error !== null && <p class="field-error">{r.error}</p>}
        <p class="muted">
          Started {formatTime(r.startedAt)}, last progress {formatTime(r.updatedAt)}.
        </p>
      </div>
    </section>
  );
}

function Rotate(
  props: TenantPageProps & { disabled: boolean; onStarted: (r: KeyRotation) => void },
): JSX.Element {
  const [kind, setKind] = useState<'data' | 'index'>('data');
  const action = useAction();
  return (
    <section aria-labelledby="keys-rotate">
      <h2 id="keys-rotate">Rotate</h2>
      <p>
        A data-key rotation promotes a new version and re-encrypts every row of the tenant under it,
        online; an index rotation recomputes every blind index. The tenant is served throughout.
      </p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          action.run(async () => {
            const r = await props.session.api.send<KeyRotation>(
              'POST',
              tenantPath(props.tenantId, '/keys/rotate'),
              {
                body: { kind },
              },
            );
            props.onStarted(r);
          });
        }}
      >
        <SelectField
          label="Key"
          name="kind"
          value={kind}
          options={[
            { value: 'data', label: 'Data key' },
            { value: 'index', label: 'Blind-index key' },
          ]}
          onChange={setKind}
          error={action.fieldError('kind')}
        />
        <ErrorNotice error={action.error} />
        <button type="submit" disabled={action.busy || props.disabled}>
          Start rotation
        </button>
      </form>
    </section>
  );
}
