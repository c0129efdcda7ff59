// Tenants (root token): list, create, delete with a typed confirmation. A refusal (a tenant that
// still has a trunk or trunk numbers) is shown as the API words it.
import type { ComponentChildren, JSX } from 'preact';
import { useState } from 'preact/hooks';
import { query, tenantPath, type Api } from '../api';
import { Checkbox, TextField } from '../components/fields';
import { ErrorNotice, Loading, Note } from '../components/notices';
import { formatTime, useAction, useLoad } from '../hooks';
import { tenantHref } from '../router';
import type { Tenant } from '../types';
import { TableScroll } from '../components/table-scroll';

export function TenantsPage(props: { api: Api; onChange: () => void }): JSX.Element {
  const { api } = props;
  const list = useLoad(() => api.get<{ tenants: Tenant[] }>('/v1/tenants'), []);
  const [note, setNote] = useState<ComponentChildren>(undefined);
  const [deleting, setDeleting] = useState<Tenant | undefined>(undefined);
  const changed = (message: ComponentChildren): void => {
    setNote(message);
    list.reload();
    props.onChange();
  };
  return (
    <>
      <h1>Tenants</h1>
      {note !== undefined && <Note>{note}</Note>}
      <section aria-labelledby="tenants-list">
        <h2 id="tenants-list">All tenants</h2>
        {list.loading && list.data === undefined && <Loading />}
        <ErrorNotice error={list.error} />
        {list.data !== undefined &&
          (list.data.tenants.length === 0 ? (
            <p>No tenants yet.</p>
          ) : (
            <TableScroll label="Tenants table">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">External id</th>
                    <th scope="col">Id</th>
                    <th scope="col">Created</th>
                    <th scope="col">Actions</th>
                  </tr>
                </thead>
                <tbody>
                  {list.data.tenants.map((t) => (
                    <tr key={t.id}>
                      <td>
                        <a href={tenantHref(t.id, 'providers')}>
                          <bdi>{t.name}</bdi>
                        </a>
                      </td>
                      <td>{t.externalId ?? '—'}</td>
                      <td>
                        <code>{t.id}</code>
                      </td>
                      <td>{formatTime(t.createdAt)}</td>
                      <td class="actions">
                        <a href={tenantHref(t.id, 'tokens')} aria-label={`Tokens of ${t.name}`}>
                          Tokens
                        </a>
                        <button
                          type="button"
                          class="secondary"
                          aria-label={`Delete ${t.name}`}
                          onClick={() => setDeleting(t)}
                        >
                          Delete
                        </button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableScroll>
          ))}
      </section>
      {deleting !== undefined && (
        <DeleteTenant
          api={api}
          tenant={deleting}
          onCancel={() => setDeleting(undefined)}
          onDeleted={(left) => {
            setDeleting(undefined);
            changed(
              <>
                Tenant <bdi>{deleting.name}</bdi> deleted.
                {left > 0 ? ` ${left} resources were left at the providers (see the audit).` : ''}
              </>,
            );
          }}
        />
      )}
      <CreateTenant
        api={api}
        onCreated={(t) =>
          changed(
            <>
              Tenant <bdi>{t.name}</bdi> created.
            </>,
          )
        }
      />
    </>
  );
}

function CreateTenant(props: { api: Api; onCreated: (t: Tenant) => void }): JSX.Element {
  const [name, setName] = useState('');
  const [externalId, setExternalId] = useState('');
  const action = useAction();
  const submit = (e: Event): void => {
    e.preventDefault();
    action.run(async () => {
      const body = externalId.trim() === '' ? { name } : { name, externalId: externalId.trim() };
      const t = await props.api.send<Tenant>('POST', '/v1/tenants', { body });
      setName('');
      setExternalId('');
      props.onCreated(t);
    });
  };
  return (
    <section aria-labelledby="tenant-create">
      <h2 id="tenant-create">Create a tenant</h2>
      <form onSubmit={submit}>
        <TextField
          label="Name"
          name="name"
          required
          value={name}
          onInput={setName}
          error={action.fieldError('name')}
        />
        <TextField
          label="External id"
          name="externalId"
          value={externalId}
          onInput={setExternalId}
          hint="Optional: the id your platform knows this customer by."
          error={action.fieldError('externalId')}
        />
        <ErrorNotice error={action.error} />
        <button type="submit" disabled={action.busy}>
          Create tenant
        </button>
      </form>
    </section>
  );
}

function DeleteTenant(props: {
  api: Api;
  tenant: Tenant;
  onCancel: () => void;
  onDeleted: (leftAtProviders: number) => void;
}): JSX.Element {
  const [typed, setTyped] = useState('');
  const [force, setForce] = useState(false);
  const action = useAction();
  const matches = typed === props.tenant.name;
  const submit = (e: Event): void => {
    e.preventDefault();
    if (!matches) return;
    action.run(async () => {
      const r = await props.api.send<{ leftAtProviders?: unknown[] } | undefined>(
        'DELETE',
        tenantPath(props.tenant.id) + query({ force: force ? 'true' : undefined }),
      );
      props.onDeleted(r?.leftAtProviders?.length ?? 0);
    });
  };
  return (
    <section aria-labelledby="tenant-delete" class="danger-zone">
      <h2 id="tenant-delete">
        Delete tenant <bdi>{props.tenant.name}</bdi>
      </h2>
      <p>
        Deleting a tenant destroys its keys and every row they protect. It cannot be undone. Type
        the tenant's name to confirm.
      </p>
      <form onSubmit={submit}>
        <TextField
          label={
            <>
              Type "<bdi>{props.tenant.name}</bdi>" to confirm
            </>
          }
          name="confirm"
          value={typed}
          onInput={setTyped}
        />
        <Checkbox
          label="Force: leave its SIP trunk and numbers at the providers"
          name="force"
          checked={force}
          onChange={setForce}
        />
        <ErrorNotice error={action.error} />
        <div class="inline">
          <button type="submit" class="danger" disabled={!matches || action.busy}>
            Delete tenant
          </button>
          <button type="button" class="secondary" onClick={props.onCancel}>
            Cancel
          </button>
        </div>
      </form>
    </section>
  );
}
