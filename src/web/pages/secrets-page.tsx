// Named secrets per tenant: the list (masked, "set · …1234"), create, replace, delete, and reveal
// for a tenant token with `secrets:reveal` (the root token cannot reveal). A typed value is sent
// once and cleared whatever the answer. A revealed value is shown once: only in this page's
// memory, until "Hide", until REVEAL_MS pass, or until the page is left, whichever is first; it is
// never put in storage, the URL or history.
import type { ComponentChildren, JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { tenantPath } from '../api';
import { ConfirmAction } from '../components/confirm-action';
import { secretShown, SecretField, TextField } from '../components/fields';
import { ErrorNotice, Loading, Note } from '../components/notices';
import { TableScroll } from '../components/table-scroll';
import { formatTime, useAction, useLoad } from '../hooks';
import { can } from '../router';
import type { NamedSecret } from '../types';
import type { TenantPageProps } from './props';

/** How long a revealed value stays on screen without "Hide". */
export const REVEAL_MS = 30_000;

const secretPath = (tenantId: string, name: string, rest = ''): string =>
  tenantPath(tenantId, `/secrets/${encodeURIComponent(name)}${rest}`);

export function SecretsPage(props: TenantPageProps): JSX.Element {
  const { api, who } = props.session;
  const list = useLoad(
    () => api.get<{ secrets: NamedSecret[] }>(tenantPath(props.tenantId, '/secrets')),
    [props.tenantId],
  );
  const canWrite = can(who, 'secrets:write');
  // The API refuses the root token a reveal; a tenant token needs the scope.
  const canReveal = who.kind === 'tenant' && who.scopes.includes('secrets:reveal');
  const [note, setNote] = useState<ComponentChildren>(undefined);
  const [replacing, setReplacing] = useState<NamedSecret | undefined>(undefined);
  const [revealed, setRevealed] = useState<{ name: string; value: string } | undefined>(undefined);
  const action = useAction();
  // Another tenant in the same page: nothing of the last one's stays.
  useEffect(() => {
    setRevealed(undefined);
    setReplacing(undefined);
  }, [props.tenantId]);
  useEffect(() => {
    if (revealed === undefined) return;
    const timer = setTimeout(() => setRevealed(undefined), REVEAL_MS);
    return () => clearTimeout(timer);
  }, [revealed]);
  const saved = (s: NamedSecret, verb: string): void => {
    setNote(`Secret ${s.name} ${verb}.`);
    setReplacing(undefined);
    list.reload();
  };
  const reveal = (name: string): void => {
    setRevealed(undefined);
    action.run(async () => {
      setRevealed(
        await api.send<{ name: string; value: string }>(
          'POST',
          secretPath(props.tenantId, name, '/reveal'),
        ),
      );
    });
  };
  const secrets = list.data?.secrets;
  return (
    <>
      <h1>
        Secrets · <bdi>{props.tenantName}</bdi>
      </h1>
      {note !== undefined && <Note>{note}</Note>}
      <section aria-labelledby="secrets-list">
        <h2 id="secrets-list">Named secrets</h2>
        {list.loading && secrets === undefined && <Loading />}
        <ErrorNotice error={list.error} />
        <ErrorNotice error={action.error} />
        {revealed !== undefined && (
          <div class="minted" role="group" aria-labelledby="secret-revealed">
            <h3 id="secret-revealed">Value of {revealed.name}</h3>
            <p>
              Shown once: it disappears when you hide it, leave this page, or after{' '}
              {REVEAL_MS / 1000} seconds. The reveal is in the audit log.
            </p>
            <code class="token" data-testid="revealed-value">
              {revealed.value}
            </code>
            <div class="inline">
              <button type="button" onClick={() => setRevealed(undefined)}>
                Hide
              </button>
            </div>
          </div>
        )}
        {secrets !== undefined &&
          (secrets.length === 0 ? (
            <p>No secrets yet.</p>
          ) : (
            <TableScroll label="Secrets table">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Value</th>
                    <th scope="col">Updated</th>
                    <th scope="col">Actions</th>
                  </tr>
                </thead>
                <tbody>
                  {secrets.map((s) => (
                    <tr key={s.name}>
                      <td>
                        <code>{s.name}</code>
                      </td>
                      <td>{secretShown(s.value)}</td>
                      <td>{formatTime(s.updatedAt)}</td>
                      <td class="actions">
                        {canReveal && (
                          <button
                            type="button"
                            class="secondary"
                            aria-label={`Reveal ${s.name}`}
                            disabled={action.busy}
                            onClick={() => reveal(s.name)}
                          >
                            Reveal
                          </button>
                        )}
                        {canWrite && (
                          <button
                            type="button"
                            class="secondary"
                            aria-label={`Replace ${s.name}`}
                            onClick={() => setReplacing(s)}
                          >
                            Replace
                          </button>
                        )}
                        {canWrite && (
                          <ConfirmAction
                            label="Delete"
                            ariaLabel={`Delete ${s.name}`}
                            confirmLabel={`Confirm delete ${s.name}`}
                            busy={action.busy}
                            confirm={(done) =>
                              action.run(async () => {
                                await api.send('DELETE', secretPath(props.tenantId, s.name));
                                done();
                                if (revealed?.name === s.name) setRevealed(undefined);
                                if (replacing?.name === s.name) setReplacing(undefined);
                                setNote(`Secret ${s.name} deleted.`);
                                list.reload();
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
          ))}
      </section>
      {canWrite && replacing !== undefined && (
        <PutSecret
          key={`replace-${replacing.name}`}
          {...props}
          replacing={replacing}
          onCancel={() => setReplacing(undefined)}
          onSaved={(s) => saved(s, 'replaced')}
        />
      )}
      {canWrite && <PutSecret key="create" {...props} onSaved={(s) => saved(s, 'saved')} />}
    </>
  );
}

/** Create (a name and a value) or, given `replacing`, replace one's value. */
function PutSecret(
  props: TenantPageProps & {
    replacing?: NamedSecret;
    onCancel?: () => void;
    onSaved: (s: NamedSecret) => void;
  },
): JSX.Element {
  const { api } = props.session;
  const replacing = props.replacing;
  const [name, setName] = useState('');
  const [value, setValue] = useState('');
  const action = useAction();
  const headingId = replacing === undefined ? 'secret-create' : 'secret-replace';
  const submit = (e: Event): void => {
    e.preventDefault();
    const target = replacing?.name ?? name.trim();
    const typed = value;
    action.run(async () => {
      try {
        const s = await api.send<NamedSecret>('PUT', secretPath(props.tenantId, target), {
          body: { value: typed },
        });
        setName('');
        props.onSaved(s);
      } finally {
        // A typed value is sent once: whatever the answer, the form no longer holds it.
        setValue('');
      }
    });
  };
  return (
    <section aria-labelledby={headingId} class={replacing === undefined ? undefined : 'card'}>
      <h2 id={headingId}>
        {replacing === undefined ? 'Create a secret' : `Replace ${replacing.name}`}
      </h2>
      <form onSubmit={submit} aria-labelledby={headingId}>
        {replacing === undefined && (
          <TextField
            label="Name"
            name="name"
            required
            value={name}
            onInput={setName}
            hint="1 to 128 of A-Z a-z 0-9 . _ - (starting with a letter or digit)."
            error={action.fieldError('name')}
          />
        )}
        <SecretField
          label={replacing === undefined ? 'Value' : 'New value'}
          name="value"
          stored={replacing?.value}
          value={value}
          replacing
          onInput={setValue}
          onReplace={(on) => {
            if (!on) props.onCancel?.();
          }}
          error={action.fieldError('value')}
        />
        <ErrorNotice error={action.error} />
        <button type="submit" disabled={action.busy}>
          {replacing === undefined ? 'Create secret' : `Save ${replacing.name}`}
        </button>
      </form>
    </section>
  );
}
