// A tenant's API tokens: mint with scopes (the token is shown once, with a copy button, until
// "Done"), list (never the values), revoke. A tenant token with tokens:manage may only grant the
// scopes it holds itself, so only those are offered.
import type { ComponentChildren, JSX } from 'preact';
import { ConfirmAction } from '../components/confirm-action';
import { useState } from 'preact/hooks';
import { tenantPath } from '../api';
import { Checkbox, Fieldset, TextField } from '../components/fields';
import { ErrorNotice, Loading, Note } from '../components/notices';
import { formatTime, useAction, useLoad } from '../hooks';
import type { CreatedToken, Scope, Token } from '../types';
import type { TenantPageProps } from './props';
import { TableScroll } from '../components/table-scroll';

export const ALL_SCOPES: readonly Scope[] = [
  'credentials:read',
  'credentials:write',
  'phones:read',
  'phones:write',
  'trunks:manage',
  'activity:read',
  'calls:create',
  'messages:send',
  'audit:read',
  'keys:read',
  'secrets:read',
  'secrets:write',
  'secrets:reveal',
  'settings:manage',
  'tokens:manage',
  'webhooks:verify',
];

export function TokensPage(props: TenantPageProps): JSX.Element {
  const { api, who } = props.session;
  const list = useLoad(
    () => api.get<{ tokens: Token[] }>(tenantPath(props.tenantId, '/tokens')),
    [props.tenantId],
  );
  const [note, setNote] = useState<ComponentChildren>(undefined);
  const [minted, setMinted] = useState<CreatedToken | undefined>(undefined);
  const offered =
    who.kind === 'root' ? ALL_SCOPES : ALL_SCOPES.filter((s) => who.scopes.includes(s));
  return (
    <>
      <h1>
        Tokens · <bdi>{props.tenantName}</bdi>
      </h1>
      {note !== undefined && <Note>{note}</Note>}
      {minted !== undefined && (
        <MintedToken
          token={minted}
          onDone={() => {
            setMinted(undefined);
            setNote(
              <>
                Token <bdi>{minted.name}</bdi> created.
              </>,
            );
          }}
        />
      )}
      <section aria-labelledby="tokens-list">
        <h2 id="tokens-list">Tokens</h2>
        {list.loading && list.data === undefined && <Loading />}
        <ErrorNotice error={list.error} />
        {list.data !== undefined &&
          (list.data.tokens.length === 0 ? (
            <p>No tokens yet.</p>
          ) : (
            <TokenTable
              tokens={list.data.tokens}
              revoke={async (t) => {
                await api.send('DELETE', tenantPath(props.tenantId, `/tokens/${t.id}`));
                setNote(
                  <>
                    Token <bdi>{t.name}</bdi> revoked.
                  </>,
                );
                list.reload();
              }}
              self={who.kind === 'tenant' ? who.tokenId : undefined}
            />
          ))}
      </section>
      <MintToken
        {...props}
        offered={offered}
        onMinted={(t) => {
          setNote(undefined);
          setMinted(t);
          list.reload();
        }}
      />
    </>
  );
}

function TokenTable(props: {
  tokens: Token[];
  revoke: (t: Token) => Promise<void>;
  self: string | undefined;
}): JSX.Element {
  const action = useAction();
  return (
    <>
      <ErrorNotice error={action.error} />
      <TableScroll label="Tokens table">
        <table>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Prefix</th>
              <th scope="col">Scopes</th>
              <th scope="col">Created</th>
              <th scope="col">Expires</th>
              <th scope="col">Last used</th>
              <th scope="col">State</th>
            </tr>
          </thead>
          <tbody>
            {props.tokens.map((t) => (
              <tr key={t.id}>
                <td>
                  <bdi>{t.name}</bdi>
                </td>
                <td>
                  <code>{t.prefix}…</code>
                </td>
                <td class="scopes">{t.scopes.join(' ')}</td>
                <td>{formatTime(t.createdAt)}</td>
                <td>{formatTime(t.expiresAt)}</td>
                <td>{formatTime(t.lastUsedAt)}</td>
                <td class="actions">
                  {t.revokedAt !== null ? (
                    `revoked ${formatTime(t.revokedAt)}`
                  ) : (
                    <ConfirmAction
                      label={`Revoke${t.id === props.self ? ' (this session)' : ''}`}
                      ariaLabel={`Revoke ${t.name}`}
                      confirmLabel={`Confirm revoke ${t.name}`}
                      busy={action.busy}
                      confirm={(done) =>
                        action.run(async () => {
                          await props.revoke(t);
                          done();
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

function MintToken(
  props: TenantPageProps & { offered: readonly Scope[]; onMinted: (t: CreatedToken) => void },
): JSX.Element {
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<Scope[]>([]);
  const [expires, setExpires] = useState('');
  const action = useAction();
  const submit = (e: Event): void => {
    e.preventDefault();
    action.run(async () => {
      const expiresAt = expires === '' ? undefined : localToIso(expires);
      const t = await props.session.api.send<CreatedToken>(
        'POST',
        tenantPath(props.tenantId, '/tokens'),
        { body: { name, scopes, ...(expiresAt === undefined ? {} : { expiresAt }) } },
      );
      setName('');
      setScopes([]);
      setExpires('');
      props.onMinted(t);
    });
  };
  const scopesError = action.fieldError('scopes');
  return (
    <section aria-labelledby="token-mint">
      <h2 id="token-mint">Mint a token</h2>
      <form onSubmit={submit}>
        <TextField
          label="Name"
          name="name"
          required
          value={name}
          onInput={setName}
          error={action.fieldError('name')}
        />
        <Fieldset legend="Scopes">
          <div class="scope-grid">
            {props.offered.map((s) => (
              <Checkbox
                key={s}
                label={s}
                name="scopes"
                checked={scopes.includes(s)}
                onChange={(on) =>
                  setScopes((cur) => (on ? [...cur, s] : cur.filter((x) => x !== s)))
                }
              />
            ))}
          </div>
          {scopesError !== undefined && <p class="field-error">{scopesError}</p>}
        </Fieldset>
        <TextField
          label="Expires (your local time)"
          name="expiresAt"
          type="datetime-local"
          value={expires}
          onInput={setExpires}
          hint="Optional. Leave empty for a token that does not expire."
          error={action.fieldError('expiresAt')}
        />
        <ErrorNotice error={action.error} />
        <button type="submit" disabled={action.busy}>
          Mint token
        </button>
      </form>
    </section>
  );
}

function localToIso(local: string): string {
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? local : d.toISOString();
}

/** The new token, shown once. "Done" removes it from the page. */
function MintedToken(props: { token: CreatedToken; onDone: () => void }): JSX.Element {
  const [copied, setCopied] = useState<string | undefined>(undefined);
  const copy = (): void => {
    navigator.clipboard.writeText(props.token.token).then(
      () => setCopied('Copied to the clipboard.'),
      () => setCopied('Copying failed: select the token and copy it by hand.'),
    );
  };
  return (
    <section aria-labelledby="token-new" class="minted">
      <h2 id="token-new">
        New token: <bdi>{props.token.name}</bdi>
      </h2>
      <p>Copy it now: it is shown only once and telvault keeps only its hash.</p>
      <p>
        <code class="token" data-testid="new-token">
          {props.token.token}
        </code>
      </p>
      <div class="inline">
        <button type="button" onClick={copy}>
          Copy token
        </button>
        <button type="button" class="secondary" onClick={props.onDone}>
          Done
        </button>
      </div>
      {copied !== undefined && (
        <p role="status" class="muted">
          {copied}
        </p>
      )}
    </section>
  );
}
