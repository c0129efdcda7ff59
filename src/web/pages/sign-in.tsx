// Sign-in: paste a root token or a tenant token. The token is asked about (GET /v1/token) and
// then kept only in this tab's memory: not in storage, not in a cookie, not in the URL.
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { createApi, type Api } from '../api';
import { ErrorNotice } from '../components/notices';
import { useAction } from '../hooks';
import type { WhoAmI } from '../types';

export interface Session {
  api: Api;
  who: WhoAmI;
}

export function SignIn(props: {
  onSignedIn: (session: Session) => void;
  onUnauthorized: () => void;
  reason?: string | undefined;
}): JSX.Element {
  const [token, setToken] = useState('');
  const action = useAction();
  const submit = (e: Event): void => {
    e.preventDefault();
    const typed = token.trim();
    action.run(async () => {
      const api = createApi(typed, props.onUnauthorized);
      const who = await api.get<WhoAmI>('/v1/token');
      setToken('');
      props.onSignedIn({ api, who });
    });
  };
  return (
    <main id="main" class="sign-in">
      <h1>Sign in to the telvault console</h1>
      <p>
        Paste the root token or a tenant token (<code>tvk_…</code>). It is kept in this tab's memory
        only: reloading the page or signing out forgets it.
      </p>
      {props.reason !== undefined && (
        <p class="notice" role="status">
          {props.reason}
        </p>
      )}
      <form onSubmit={submit}>
        <div class="field">
          <label for="token">Token</label>
          <input
            id="token"
            name="token"
            type="password"
            autocomplete="off"
            spellcheck={false}
            required
            value={token}
            aria-describedby={action.error !== undefined ? 'sign-in-error' : undefined}
            onInput={(e) => setToken(e.currentTarget.value)}
          />
        </div>
        <div id="sign-in-error">
          <ErrorNotice error={action.error} />
        </div>
        <button type="submit" disabled={action.busy}>
          Sign in
        </button>
      </form>
    </main>
  );
}
