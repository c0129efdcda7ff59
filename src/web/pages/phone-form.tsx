// Import a phone, or edit one. The phone's own Exotel account is all four fields together (the
// API takes nothing less); its key and token are write-only, sent once and cleared from the form
// whatever the answer.
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { tenantPath, type Api } from '../api';
import {
  Checkbox,
  Fieldset,
  secretShown,
  SecretField,
  SelectField,
  TextField,
} from '../components/fields';
import { ErrorNotice } from '../components/notices';
import { useAction } from '../hooks';
import { EXOTEL_SUBDOMAINS, type ExotelSubdomain, type Phone, type PhoneProvider } from '../types';

const PROVIDERS = [
  { value: 'exotel', label: 'Exotel' },
  { value: 'twilio', label: 'Twilio' },
  { value: 'retell', label: 'Retell' },
] as const;

type ExotelMode = 'none' | 'keep' | 'set' | 'remove';

export function PhoneForm(props: {
  api: Api;
  tenantId: string;
  /** The phone to edit; none: import a new one. */
  phone?: Phone;
  onSaved: (p: Phone) => void;
  onCancel?: () => void;
}): JSX.Element {
  const editing = props.phone;
  const [number, setNumber] = useState('');
  const [country, setCountry] = useState('');
  const [provider, setProvider] = useState<PhoneProvider>('exotel');
  const [label, setLabel] = useState(editing?.label ?? '');
  const [tags, setTags] = useState(editing?.tags.join(', ') ?? '');
  const [inbound, setInbound] = useState(editing?.retell.inboundAgentId ?? '');
  const [outbound, setOutbound] = useState(editing?.retell.outboundAgentId ?? '');
  const [exotelMode, setExotelMode] = useState<ExotelMode>(
    editing?.exotel != null ? 'keep' : 'none',
  );
  const [apiKey, setApiKey] = useState('');
  const [apiToken, setApiToken] = useState('');
  const [sid, setSid] = useState(editing?.exotel?.sid ?? '');
  const [subdomain, setSubdomain] = useState<ExotelSubdomain>(
    editing?.exotel?.subdomain ?? 'api.in.exotel.com',
  );
  const [flowUrl, setFlowUrl] = useState(editing?.exotel?.flowUrl ?? '');
  const action = useAction();
  const prefix = editing === undefined ? 'phone-import' : 'phone-edit';

  const exotelBody = (): Record<string, string> => ({
    apiKey,
    apiToken,
    sid: sid.trim(),
    subdomain,
    ...(flowUrl.trim() === '' ? {} : { flowUrl: flowUrl.trim() }),
  });
  const tagList = (): string[] =>
    tags
      .split(',')
      .map((t) => t.trim())
      .filter((t) => t !== '');

  const submit = (e: Event): void => {
    e.preventDefault();
    action.run(async () => {
      try {
        let saved: Phone;
        if (editing === undefined) {
          const body: Record<string, unknown> = { number, provider };
          if (country.trim() !== '') body['country'] = country.trim().toUpperCase();
          if (label.trim() !== '') body['label'] = label.trim();
          if (tagList().length > 0) body['tags'] = tagList();
          if (exotelMode === 'set') body['exotel'] = exotelBody();
          if (inbound.trim() !== '' || outbound.trim() !== '')
            body['retell'] = {
              ...(inbound.trim() === '' ? {} : { inboundAgentId: inbound.trim() }),
              ...(outbound.trim() === '' ? {} : { outboundAgentId: outbound.trim() }),
            };
          saved = await props.api.send<Phone>('POST', tenantPath(props.tenantId, '/phones'), {
            body,
          });
          setNumber('');
          setCountry('');
          setLabel('');
          setTags('');
          setInbound('');
          setOutbound('');
          setExotelMode('none');
          setSid('');
          setFlowUrl('');
        } else {
          const body: Record<string, unknown> = {
            label: label.trim() === '' ? null : label.trim(),
            tags: tagList(),
            retell: {
              inboundAgentId: inbound.trim() === '' ? null : inbound.trim(),
              outboundAgentId: outbound.trim() === '' ? null : outbound.trim(),
            },
          };
          if (exotelMode === 'set') body['exotel'] = exotelBody();
          if (exotelMode === 'remove') body['exotel'] = null;
          saved = await props.api.send<Phone>(
            'PATCH',
            tenantPath(props.tenantId, `/phones/${editing.id}`),
            { body },
          );
        }
        props.onSaved(saved);
      } finally {
        // Sent once: the form never keeps the key or token, whatever the answer.
        setApiKey('');
        setApiToken('');
      }
    });
  };

  const headingId = `${prefix}-heading`;
  return (
    <section aria-labelledby={headingId} class="card">
      <h2 id={headingId}>{editing === undefined ? 'Import a phone' : `Edit ${editing.number}`}</h2>
      <form onSubmit={submit}>
        {editing === undefined && (
          <>
            <TextField
              label="Number"
              name="number"
              type="tel"
              required
              value={number}
              onInput={setNumber}
              hint="Any common format; a national number is read in the country below."
              error={action.fieldError('number')}
            />
            <TextField
              label="Country"
              name="country"
              value={country}
              onInput={setCountry}
              hint="ISO code (IN, US…); optional with a +country number."
              error={action.fieldError('country')}
            />
            <SelectField
              label="Provider"
              name="provider"
              value={provider}
              options={PROVIDERS}
              onChange={setProvider}
              error={action.fieldError('provider')}
            />
          </>
        )}
        <TextField
          label="Label"
          name="label"
          value={label}
          onInput={setLabel}
          error={action.fieldError('label')}
        />
        <TextField
          label="Tags"
          name="tags"
          value={tags}
          onInput={setTags}
          hint="Comma-separated: lower-case letters, digits, . _ : -"
          error={action.fieldError('tags') ?? action.fieldError('tags.0')}
        />
        <Fieldset legend="Retell agents">
          <TextField
            label="Inbound agent id"
            name="retell.inboundAgentId"
            value={inbound}
            onInput={setInbound}
            error={action.fieldError('retell.inboundAgentId')}
          />
          <TextField
            label="Outbound agent id"
            name="retell.outboundAgentId"
            value={outbound}
            onInput={setOutbound}
            error={action.fieldError('retell.outboundAgentId')}
          />
        </Fieldset>
        <Fieldset legend="The phone's own Exotel account">
          {exotelMode === 'keep' && editing?.exotel != null && (
            <>
              <p>
                {editing.exotel.sid} at {editing.exotel.subdomain}: key{' '}
                {secretShown(editing.exotel.apiKey)}, token {secretShown(editing.exotel.apiToken)}.
              </p>
              <div class="inline">
                <button type="button" class="secondary" onClick={() => setExotelMode('set')}>
                  Replace Exotel account
                </button>
                <button type="button" class="secondary" onClick={() => setExotelMode('remove')}>
                  Remove Exotel account
                </button>
              </div>
            </>
          )}
          {exotelMode === 'remove' && (
            <p class="inline">
              The Exotel account will be removed on save.{' '}
              <button type="button" class="secondary" onClick={() => setExotelMode('keep')}>
                Keep it
              </button>
            </p>
          )}
          {(exotelMode === 'none' || exotelMode === 'set') && (
            <Checkbox
              label={
                editing?.exotel != null
                  ? 'Replace the Exotel account'
                  : 'This phone has its own Exotel account'
              }
              name="exotel"
              checked={exotelMode === 'set'}
              onChange={(on) => {
                setApiKey('');
                setApiToken('');
                setExotelMode(on ? 'set' : editing?.exotel != null ? 'keep' : 'none');
              }}
            />
          )}
          {exotelMode === 'set' && (
            <>
              <SecretField
                label="Exotel API key"
                name="exotel.apiKey"
                stored={undefined}
                value={apiKey}
                replacing
                onInput={setApiKey}
                onReplace={() => undefined}
                error={action.fieldError('exotel.apiKey')}
              />
              <SecretField
                label="Exotel API token"
                name="exotel.apiToken"
                stored={undefined}
                value={apiToken}
                replacing
                onInput={setApiToken}
                onReplace={() => undefined}
                error={action.fieldError('exotel.apiToken')}
              />
              <TextField
                label="Exotel account SID"
                name="exotel.sid"
                value={sid}
                onInput={setSid}
                error={action.fieldError('exotel.sid')}
              />
              <SelectField
                label="Exotel API host"
                name="exotel.subdomain"
                value={subdomain}
                options={EXOTEL_SUBDOMAINS.map((s) => ({ value: s, label: s }))}
                onChange={setSubdomain}
                error={action.fieldError('exotel.subdomain')}
              />
              <TextField
                label="Exotel flow URL"
                name="exotel.flowUrl"
                type="url"
                value={flowUrl}
                onInput={setFlowUrl}
                hint="Optional: the flow a call from this phone runs."
                error={action.fieldError('exotel.flowUrl')}
              />
            </>
          )}
        </Fieldset>
        <ErrorNotice error={action.error} />
        <div class="inline">
          <button type="submit" disabled={action.busy}>
            {editing === undefined ? 'Import phone' : 'Save phone'}
          </button>
          {props.onCancel !== undefined && (
            <button type="button" class="secondary" onClick={props.onCancel}>
              Cancel
            </button>
          )}
        </div>
      </form>
    </section>
  );
}
