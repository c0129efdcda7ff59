// Phones: list with filters and paging, find by number, import (number with country, optionally
// the phone's own Exotel account), edit, delete, verify the phone's Exotel account.
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { query, tenantPath, type Api } from '../api';
import { ConfirmAction } from '../components/confirm-action';
import { Pager } from '../components/pager';
import { ErrorNotice, Loading, Note } from '../components/notices';
import { secretShown, SelectField, TextField } from '../components/fields';
import { useAction, useLoad } from '../hooks';
import { can } from '../router';
import type { Phone, PhoneProvider, VerifyResult } from '../types';
import { PhoneForm } from './phone-form';
import type { TenantPageProps } from './props';
import { TableScroll } from '../components/table-scroll';
import { numberTypeWords } from '../number-types';

const PROVIDER_FILTER = [
  { value: '', label: 'Any provider' },
  { value: 'exotel', label: 'Exotel' },
  { value: 'twilio', label: 'Twilio' },
  { value: 'retell', label: 'Retell' },
] as const;

export function PhonesPage(props: TenantPageProps): JSX.Element {
  const { api, who } = props.session;
  const writable = can(who, 'phones:write');
  const [provider, setProvider] = useState<'' | PhoneProvider>('');
  const [tag, setTag] = useState('');
  const [filters, setFilters] = useState({ provider: '', tag: '' });
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors[cursors.length - 1];
  const [note, setNote] = useState<string | undefined>(undefined);
  const [editing, setEditing] = useState<Phone | undefined>(undefined);
  const list = useLoad(
    () =>
      api.get<{ phones: Phone[]; nextCursor: string | null }>(
        tenantPath(props.tenantId, '/phones') +
          query({ provider: filters.provider, tag: filters.tag, cursor, limit: 25 }),
      ),
    [props.tenantId, filters, cursor],
  );
  const changed = (message: string): void => {
    setNote(message);
    list.reload();
  };
  return (
    <>
      <h1>
        Phones · <bdi>{props.tenantName}</bdi>
      </h1>
      {note !== undefined && <Note>{note}</Note>}
      <section aria-labelledby="phones-list">
        <h2 id="phones-list">Numbers</h2>
        <form
          class="filters"
          aria-label="Filter phones"
          onSubmit={(e) => {
            e.preventDefault();
            setCursors([]);
            setFilters({ provider, tag: tag.trim() });
          }}
        >
          <SelectField
            label="Provider"
            name="provider"
            value={provider}
            options={PROVIDER_FILTER}
            onChange={setProvider}
          />
          <TextField label="Tag" name="tag" value={tag} onInput={setTag} />
          <button type="submit">Apply filters</button>
        </form>
        {list.loading && list.data === undefined && <Loading />}
        <ErrorNotice error={list.error} />
        {list.data !== undefined && (
          <PhoneTable
            api={api}
            tenantId={props.tenantId}
            phones={list.data.phones}
            writable={writable}
            onEdit={setEditing}
            onDeleted={(p) => changed(`Phone ${p.number} deleted.`)}
          />
        )}
        <Pager cursors={cursors} setCursors={setCursors} nextCursor={list.data?.nextCursor} />
      </section>
      {editing !== undefined && (
        <PhoneForm
          key={editing.id}
          api={api}
          tenantId={props.tenantId}
          phone={editing}
          onCancel={() => setEditing(undefined)}
          onSaved={(p) => {
            setEditing(undefined);
            changed(`Phone ${p.number} saved.`);
          }}
        />
      )}
      <FindPhone api={api} tenantId={props.tenantId} />
      {writable && (
        <PhoneForm
          api={api}
          tenantId={props.tenantId}
          onSaved={(p) => changed(`Phone ${p.number} imported.`)}
        />
      )}
    </>
  );
}

function PhoneTable(props: {
  api: Api;
  tenantId: string;
  phones: Phone[];
  writable: boolean;
  onEdit: (p: Phone) => void;
  onDeleted: (p: Phone) => void;
}): JSX.Element {
  const [verified, setVerified] = useState<{ id: string; result: VerifyResult } | undefined>(
    undefined,
  );
  const action = useAction();
  if (props.phones.length === 0) return <p>No phones match.</p>;
  return (
    <>
      <ErrorNotice error={action.error} />
      {verified !== undefined && (
        <p
          class={`notice ${verified.result.ok ? 'ok' : 'error'}`}
          role="status"
          data-testid="exotel-verify"
        >
          Exotel account of {props.phones.find((p) => p.id === verified.id)?.number ?? 'the phone'}:{' '}
          {verified.result.ok
            ? 'accepted.'
            : `refused: ${verified.result.error?.code ?? ''} ${verified.result.error?.message ?? ''}`}
        </p>
      )}
      <TableScroll label="Phones table">
        <table>
          <thead>
            <tr>
              <th scope="col">Number</th>
              <th scope="col">Country · type</th>
              <th scope="col">Provider</th>
              <th scope="col">Label</th>
              <th scope="col">Tags</th>
              <th scope="col">Own Exotel account</th>
              <th scope="col">Retell agents</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {props.phones.map((p) => (
              <tr key={p.id}>
                <td>
                  <code>{p.number}</code>
                </td>
                <td>
                  {p.country} · {numberTypeWords(p.numberType)}
                </td>
                <td>
                  {p.provider}
                  {p.twilio?.onTrunk === true ? ' (on trunk)' : ''}
                </td>
                <td>{p.label === null ? '—' : <bdi>{p.label}</bdi>}</td>
                <td>{p.tags.length === 0 ? '—' : <bdi>{p.tags.join(', ')}</bdi>}</td>
                <td>
                  {p.exotel === null
                    ? '—'
                    : `${p.exotel.sid} · key ${secretShown(p.exotel.apiKey)} · token ${secretShown(p.exotel.apiToken)}`}
                </td>
                <td>
                  in {p.retell.inboundAgentId ?? '—'} · out {p.retell.outboundAgentId ?? '—'}
                  {p.retell.synced ? ' (synced)' : ''}
                </td>
                <td class="actions">
                  {p.exotel !== null && (
                    <button
                      type="button"
                      class="secondary"
                      aria-label={`Verify Exotel account of ${p.number}`}
                      disabled={action.busy}
                      onClick={() =>
                        action.run(async () => {
                          setVerified(undefined);
                          const result = await props.api.send<VerifyResult>(
                            'POST',
                            tenantPath(props.tenantId, `/phones/${p.id}/exotel/verify`),
                          );
                          setVerified({ id: p.id, result });
                        })
                      }
                    >
                      Verify Exotel
                    </button>
                  )}
                  {props.writable && (
                    <button
                      type="button"
                      class="secondary"
                      aria-label={`Edit ${p.number}`}
                      onClick={() => props.onEdit(p)}
                    >
                      Edit
                    </button>
                  )}
                  {props.writable && (
                    <ConfirmAction
                      label="Delete"
                      ariaLabel={`Delete ${p.number}`}
                      confirmLabel={`Confirm delete ${p.number}`}
                      busy={action.busy}
                      confirm={(done) =>
                        action.run(async () => {
                          await props.api.send(
                            'DELETE',
                            tenantPath(props.tenantId, `/phones/${p.id}`),
                          );
                          done();
                          props.onDeleted(p);
                        })
                      }
                    />
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>
    </>
  );
}

/** Find by number: the number travels in a POST body, never in a URL. */
function FindPhone(props: { api: Api; tenantId: string }): JSX.Element {
  const [number, setNumber] = useState('');
  const [country, setCountry] = useState('');
  const [found, setFound] = useState<Phone | null | undefined>(undefined);
  const action = useAction();
  const submit = (e: Event): void => {
    e.preventDefault();
    setFound(undefined);
    action.run(async () => {
      try {
        const body =
          country.trim() === '' ? { number } : { number, country: country.trim().toUpperCase() };
        setFound(
          await props.api.send<Phone>('POST', tenantPath(props.tenantId, '/phones/lookup'), {
            body,
          }),
        );
      } catch (e) {
        if (e instanceof Error && 'status' in e && e.status === 404) setFound(null);
        else throw e;
      }
    });
  };
  return (
    <section aria-labelledby="phone-find">
      <h2 id="phone-find">Find by number</h2>
      <form class="filters" onSubmit={submit}>
        <TextField
          label="Number"
          name="number"
          type="tel"
          required
          value={number}
          onInput={setNumber}
          error={action.fieldError('number')}
        />
        <TextField
          label="Country"
          name="country"
          value={country}
          onInput={setCountry}
          hint="ISO code, for a national number."
          error={action.fieldError('country')}
        />
        <button type="submit" disabled={action.busy}>
          Find
        </button>
      </form>
      <ErrorNotice error={action.error} />
      {found === null && <p role="status">No phone of this tenant has that number.</p>}
      {found != null && (
        <p role="status" data-testid="found-phone">
          Found <code>{found.number}</code> ({found.provider}
          {found.label !== null && (
            <>
              , <bdi>{found.label}</bdi>
            </>
          )}
          ), id <code>{found.id}</code>.
        </p>
      )}
    </section>
  );
}
