// Provider credentials per tenant: one form per provider. Secrets are write-only: a stored one
// shows "set · …1234" with Replace; a typed one is sent once and the form forgets it as soon as
// the API has it (state cleared, input removed). The API's validation errors appear at their
// fields; "Verify" asks the provider with the stored credentials and shows its answer.
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { tenantPath } from '../api';
import { SecretField, SelectField, TextField } from '../components/fields';
import { ErrorNotice, Loading, Note } from '../components/notices';
import { formatTime, useAction, useLoad } from '../hooks';
import { can } from '../router';
import {
  EXOTEL_SUBDOMAINS,
  type Credentials,
  type Provider,
  type SecretView,
  type VerifyResult,
} from '../types';
import type { TenantPageProps } from './props';

interface FieldSpec {
  name: string;
  label: string;
  kind: 'text' | 'secret' | 'select';
  /** The API takes null to remove it. */
  nullable?: boolean;
  hint?: string;
  options?: readonly string[];
}

const FORMS: Record<Provider, { title: string; fields: FieldSpec[] }> = {
  twilio: {
    title: 'Twilio',
    fields: [
      {
        name: 'accountSid',
        label: 'Account SID',
        kind: 'text',
        hint: 'AC followed by 32 hex digits.',
      },
      { name: 'authToken', label: 'Auth token', kind: 'secret', nullable: true },
      {
        name: 'apiKeySid',
        label: 'API key SID',
        kind: 'text',
        nullable: true,
        hint: 'Optional: SK…, with the API key secret instead of the auth token.',
      },
      { name: 'apiKeySecret', label: 'API key secret', kind: 'secret', nullable: true },
      {
        name: 'defaultFrom',
        label: 'Default caller id',
        kind: 'text',
        nullable: true,
        hint: 'Optional, E.164 (+15551234567).',
      },
      {
        name: 'twimlAppSid',
        label: 'TwiML app SID',
        kind: 'text',
        nullable: true,
        hint: 'Optional: AP…',
      },
    ],
  },
  sendgrid: {
    title: 'SendGrid',
    fields: [
      { name: 'apiKey', label: 'API key', kind: 'secret', hint: 'Starts with SG.' },
      { name: 'fromEmail', label: 'From address', kind: 'text', hint: 'A verified sender.' },
    ],
  },
  retell: {
    title: 'Retell',
    fields: [
      { name: 'apiKey', label: 'API key', kind: 'secret' },
      {
        name: 'webhookKey',
        label: 'Webhook key',
        kind: 'secret',
        nullable: true,
        hint: 'Optional: the key Retell signs webhooks with, when not the API key.',
      },
    ],
  },
  exotel: {
    title: 'Exotel',
    fields: [
      { name: 'apiKey', label: 'API key', kind: 'secret' },
      { name: 'apiToken', label: 'API token', kind: 'secret' },
      { name: 'sid', label: 'Account SID', kind: 'text' },
      { name: 'subdomain', label: 'API host', kind: 'select', options: EXOTEL_SUBDOMAINS },
    ],
  },
};

const PROVIDERS: readonly Provider[] = ['twilio', 'sendgrid', 'retell', 'exotel'];

export function ProvidersPage(props: TenantPageProps): JSX.Element {
  const { api, who } = props.session;
  const list = useLoad(
    () => api.get<{ credentials: Credentials[] }>(tenantPath(props.tenantId, '/credentials')),
    [props.tenantId],
  );
  return (
    <>
      <h1>
        Providers · <bdi>{props.tenantName}</bdi>
      </h1>
      {list.loading && list.data === undefined && <Loading />}
      <ErrorNotice error={list.error} />
      {list.data !== undefined &&
        PROVIDERS.map((p) => (
          <ProviderForm
            key={`${props.tenantId}-${p}`}
            {...props}
            provider={p}
            stored={list.data?.credentials.find((c) => c.provider === p)}
            canWrite={can(who, 'credentials:write')}
          />
        ))}
    </>
  );
}

function storedText(stored: Credentials | undefined, name: string): string {
  const v = (stored as Record<string, unknown> | undefined)?.[name];
  return typeof v === 'string' ? v : '';
}

function storedSecret(stored: Credentials | undefined, name: string): SecretView | undefined {
  const v = (stored as Record<string, unknown> | undefined)?.[name];
  return typeof v === 'object' && v !== null && (v as { set?: unknown }).set === true
    ? (v as SecretView)
    : undefined;
}

function initialValues(spec: FieldSpec[], stored: Credentials | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of spec) {
    if (f.kind === 'secret') out[f.name] = '';
    else out[f.name] = storedText(stored, f.name) || (f.options?.[0] ?? '');
  }
  return out;
}

/** The PUT body: changed text fields (null to clear an optional one), typed secrets only. */
function bodyOf(
  spec: FieldSpec[],
  stored: Credentials | undefined,
  values: Record<string, string>,
): Record<string, string | null> {
  const body: Record<string, string | null> = {};
  for (const f of spec) {
    const v = (values[f.name] ?? '').trim();
    if (f.kind === 'secret') {
      if (v !== '') body[f.name] = values[f.name] ?? '';
      continue;
    }
    const before = storedText(stored, f.name);
    if (v !== '' && (v !== before || stored === undefined)) body[f.name] = v;
    else if (v === '' && before !== '' && f.nullable === true) body[f.name] = null;
  }
  return body;
}

function ProviderForm(
  props: TenantPageProps & {
    provider: Provider;
    stored: Credentials | undefined;
    canWrite: boolean;
  },
): JSX.Element {
  const form = FORMS[props.provider];
  const { api } = props.session;
  const [stored, setStored] = useState(props.stored);
  const [values, setValues] = useState(() => initialValues(form.fields, props.stored));
  const [replacing, setReplacing] = useState<Record<string, boolean>>({});
  const [note, setNote] = useState<string | undefined>(undefined);
  const [verified, setVerified] = useState<VerifyResult | undefined>(undefined);
  const save = useAction();
  const verify = useAction();
  const headingId = `provider-${props.provider}`;
  const submit = (e: Event): void => {
    e.preventDefault();
    setNote(undefined);
    const body = bodyOf(form.fields, stored, values);
    save.run(async () => {
      try {
        const saved = await api.send<Credentials>(
          'PUT',
          tenantPath(props.tenantId, `/credentials/${props.provider}`),
          { body },
        );
        setStored(saved);
        setValues(initialValues(form.fields, saved));
        setReplacing({});
        setVerified(undefined);
        setNote(`${form.title} credentials saved.`);
      } finally {
        // A typed secret is sent once: whatever the answer, the form no longer holds it.
        setValues((cur) => {
          const next = { ...cur };
          for (const f of form.fields) if (f.kind === 'secret') next[f.name] = '';
          return next;
        });
      }
    });
  };
  const runVerify = (): void => {
    setVerified(undefined);
    verify.run(async () => {
      setVerified(
        await api.send<VerifyResult>(
          'POST',
          tenantPath(props.tenantId, `/credentials/${props.provider}/verify`),
        ),
      );
    });
  };
  const set = (name: string) => (v: string) => setValues((cur) => ({ ...cur, [name]: v }));
  return (
    <section aria-labelledby={headingId} class="card">
      <h2 id={headingId}>{form.title}</h2>
      <p class="muted">
        {stored === undefined
          ? 'Not configured.'
          : `Configured · updated ${formatTime(stored.updatedAt)}`}
      </p>
      {note !== undefined && <Note>{note}</Note>}
      {props.canWrite ? (
        <form onSubmit={submit} aria-labelledby={headingId}>
          {form.fields.map((f) =>
            f.kind === 'secret' ? (
              <SecretField
                key={f.name}
                label={f.label}
                name={f.name}
                hint={f.hint}
                stored={storedSecret(stored, f.name)}
                value={values[f.name] ?? ''}
                replacing={replacing[f.name] === true}
                onInput={set(f.name)}
                onReplace={(on) => setReplacing((cur) => ({ ...cur, [f.name]: on }))}
                error={save.fieldError(f.name)}
              />
            ) : f.kind === 'select' ? (
              <SelectField
                key={f.name}
                label={f.label}
                name={f.name}
                value={values[f.name] ?? ''}
                options={(f.options ?? []).map((o) => ({ value: o, label: o }))}
                onChange={set(f.name)}
                error={save.fieldError(f.name)}
              />
            ) : (
              <TextField
                key={f.name}
                label={f.label}
                name={f.name}
                hint={f.hint}
                value={values[f.name] ?? ''}
                onInput={set(f.name)}
                error={save.fieldError(f.name)}
              />
            ),
          )}
          <ErrorNotice error={save.error} />
          <div class="inline">
            <button type="submit" disabled={save.busy}>
              Save {form.title}
            </button>
            {stored !== undefined && (
              <button type="button" class="secondary" disabled={verify.busy} onClick={runVerify}>
                Verify {form.title}
              </button>
            )}
          </div>
        </form>
      ) : (
        <>
          <dl>
            {form.fields.map((f) => {
              const secret = storedSecret(stored, f.name);
              const text = storedText(stored, f.name);
              return (
                <div key={f.name}>
                  <dt>{f.label}</dt>
                  <dd>
                    {f.kind === 'secret'
                      ? secret === undefined
                        ? 'not set'
                        : secret.last4 === undefined
                          ? 'set'
                          : `set · …${secret.last4}`
                      : text || '—'}
                  </dd>
                </div>
              );
            })}
          </dl>
          {stored !== undefined && (
            <button type="button" class="secondary" disabled={verify.busy} onClick={runVerify}>
              Verify {form.title}
            </button>
          )}
        </>
      )}
      <ErrorNotice error={verify.error} />
      {verified !== undefined && <VerifyAnswer result={verified} title={form.title} />}
    </section>
  );
}

function VerifyAnswer(props: { result: VerifyResult; title: string }): JSX.Element {
  const r = props.result;
  return (
    <div class={`notice ${r.ok ? 'ok' : 'error'}`} role="status" data-testid="verify-result">
      {r.ok ? `${props.title} accepted the credentials.` : `${props.title} refused: `}
      {r.error !== undefined && (
        <>
          <strong>{r.error.code}</strong> {r.error.message}
          {r.error.retryable ? ' (retryable)' : ''}
        </>
      )}
      {r.sender !== undefined && <> Sender: {r.sender}.</>}
    </div>
  );
}
