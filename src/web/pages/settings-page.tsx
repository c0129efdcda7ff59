// A tenant's settings (`settings:manage`): the default country national numbers are read in, the
// number types it accepts (in words), the countries calls and messages may go to, whether an
// Exotel phone without its own account may use the tenant's, and the outbound limits per kind.
// Saving sends only what changed; the API's refusal shows at the field it names.
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { tenantPath } from '../api';
import { Checkbox, Fieldset, TextField } from '../components/fields';
import { ErrorNotice, Loading, Note } from '../components/notices';
import { formatTime, useAction, useLoad, type Action } from '../hooks';
import { NUMBER_TYPES, numberTypeWords } from '../number-types';
import type { KindLimits, LimitKind, TenantSettings } from '../types';
import type { TenantPageProps } from './props';

const KINDS: readonly { kind: LimitKind; title: string }[] = [
  { kind: 'calls', title: 'Calls' },
  { kind: 'messages', title: 'Messages' },
];
/** The API takes at most this many windows per destination. */
const DESTINATION_WINDOWS = 4;

/** A window as typed: two text fields. */
interface WindowForm {
  points: string;
  windowSeconds: string;
}
interface KindForm {
  perCaller: WindowForm;
  perDestination: WindowForm[];
}
interface SettingsForm {
  defaultCountry: string;
  allowedNumberTypes: string[];
  destinations: string;
  exotelFallbackToTenant: boolean;
  limits: Record<LimitKind, KindForm>;
}

const windowForm = (w: { points: number; windowSeconds: number } | undefined): WindowForm => ({
  points: w === undefined ? '' : String(w.points),
  windowSeconds: w === undefined ? '' : String(w.windowSeconds),
});

function formOf(s: TenantSettings): SettingsForm {
  const kind = (k: KindLimits): KindForm => ({
    perCaller: windowForm(k.perCaller),
    perDestination: [...Array(DESTINATION_WINDOWS).keys()].map((i) =>
      windowForm(k.perDestination[i]),
    ),
  });
  return {
    defaultCountry: s.defaultCountry ?? '',
    allowedNumberTypes: s.allowedNumberTypes,
    destinations: (s.allowedDestinationCountries ?? []).join(', '),
    exotelFallbackToTenant: s.exotelFallbackToTenant,
    limits: { calls: kind(s.limits.calls), messages: kind(s.limits.messages) },
  };
}

/** A whole number as a number; anything else as typed, for the API to refuse at its field. */
const numberOf = (v: string): number | string => (/^\d{1,9}$/.test(v.trim()) ? Number(v) : v);

const windowBody = (
  w: WindowForm,
): { points: number | string; windowSeconds: number | string } => ({
  points: numberOf(w.points),
  windowSeconds: numberOf(w.windowSeconds),
});

/** An empty row is no window. */
const typedWindow = (w: WindowForm): boolean =>
  w.points.trim() !== '' || w.windowSeconds.trim() !== '';

function kindBody(k: KindForm): unknown {
  return {
    perCaller: windowBody(k.perCaller),
    perDestination: k.perDestination.filter(typedWindow).map(windowBody),
  };
}

/** The PATCH body: each setting that differs from what is stored. */
function patchOf(stored: TenantSettings, form: SettingsForm): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  const country = form.defaultCountry.trim().toUpperCase();
  if (country !== (stored.defaultCountry ?? ''))
    body['defaultCountry'] = country === '' ? null : country;
  const types = NUMBER_TYPES.filter((t) => form.allowedNumberTypes.includes(t));
  const storedTypes = NUMBER_TYPES.filter((t) => stored.allowedNumberTypes.includes(t));
  if (types.join() !== storedTypes.join()) body['allowedNumberTypes'] = types;
  const destinations = form.destinations
    .split(/[\s,]+/)
    .map((c) => c.toUpperCase())
    .filter((c) => c !== '');
  if (destinations.join() !== (stored.allowedDestinationCountries ?? []).join())
    body['allowedDestinationCountries'] = destinations.length === 0 ? null : destinations;
  if (form.exotelFallbackToTenant !== stored.exotelFallbackToTenant)
    body['exotelFallbackToTenant'] = form.exotelFallbackToTenant;
  const limits: Record<string, unknown> = {};
  for (const { kind } of KINDS) {
    const was = JSON.stringify(kindBody(formOf(stored).limits[kind]));
    const now = kindBody(form.limits[kind]);
    if (JSON.stringify(now) !== was) limits[kind] = now;
  }
  if (Object.keys(limits).length > 0) body['limits'] = limits;
  return body;
}

export function SettingsPage(props: TenantPageProps): JSX.Element {
  const { api } = props.session;
  const path = tenantPath(props.tenantId, '/settings');
  const loaded = useLoad(() => api.get<TenantSettings>(path), [path]);
  return (
    <>
      <h1>
        Settings · <bdi>{props.tenantName}</bdi>
      </h1>
      {loaded.loading && loaded.data === undefined && <Loading />}
      <ErrorNotice error={loaded.error} />
      {loaded.data !== undefined && (
        <SettingsForm key={path} {...props} path={path} stored={loaded.data} />
      )}
    </>
  );
}

function SettingsForm(
  props: TenantPageProps & { path: string; stored: TenantSettings },
): JSX.Element {
  const { api } = props.session;
  const [stored, setStored] = useState(props.stored);
  const [form, setForm] = useState(() => formOf(props.stored));
  const [note, setNote] = useState<string | undefined>(undefined);
  const action = useAction();
  const send = (body: Record<string, unknown>, done: string): void => {
    setNote(undefined);
    action.run(async () => {
      const saved = await api.send<TenantSettings>('PATCH', props.path, { body });
      setStored(saved);
      setForm(formOf(saved));
      setNote(done);
    });
  };
  const submit = (e: Event): void => {
    e.preventDefault();
    const body = patchOf(stored, form);
    if (Object.keys(body).length === 0) setNote('Nothing changed.');
    else send(body, 'Settings saved.');
  };
  const toggleType = (type: string, on: boolean): void =>
    setForm((f) => ({
      ...f,
      allowedNumberTypes: on
        ? [...f.allowedNumberTypes, type]
        : f.allowedNumberTypes.filter((t) => t !== type),
    }));
  return (
    <section aria-labelledby="settings-form">
      <h2 id="settings-form">Tenant settings</h2>
      <p class="muted">
        {stored.updatedAt === null
          ? 'Never changed: the defaults apply.'
          : `Updated ${formatTime(stored.updatedAt)}`}
      </p>
      {note !== undefined && <Note>{note}</Note>}
      <form onSubmit={submit} aria-labelledby="settings-form">
        <TextField
          label="Default country"
          name="defaultCountry"
          value={form.defaultCountry}
          onInput={(v) => setForm((f) => ({ ...f, defaultCountry: v }))}
          hint="ISO 3166 code (AU, IN, US) national numbers are read in. Empty: none."
          error={action.fieldError('defaultCountry')}
        />
        <Fieldset
          legend="Allowed number types"
          error={action.fieldErrorUnder('allowedNumberTypes')}
        >
          <div class="scope-grid">
            {NUMBER_TYPES.map((t) => (
              <Checkbox
                key={t}
                label={numberTypeWords(t)}
                name={`type-${t}`}
                checked={form.allowedNumberTypes.includes(t)}
                onChange={(on) => toggleType(t, on)}
              />
            ))}
          </div>
        </Fieldset>
        <TextField
          label="Destination countries"
          name="allowedDestinationCountries"
          value={form.destinations}
          onInput={(v) => setForm((f) => ({ ...f, destinations: v }))}
          hint="ISO 3166 codes calls and messages may go to, separated by commas. Empty: any."
          error={action.fieldErrorUnder('allowedDestinationCountries')}
        />
        <Checkbox
          label="Exotel phones without an account of their own use the tenant's Exotel credentials"
          name="exotelFallbackToTenant"
          checked={form.exotelFallbackToTenant}
          onChange={(on) => setForm((f) => ({ ...f, exotelFallbackToTenant: on }))}
        />
        {KINDS.map(({ kind, title }) => (
          <LimitsFields
            key={kind}
            kind={kind}
            title={title}
            value={form.limits[kind]}
            action={action}
            onChange={(k) => setForm((f) => ({ ...f, limits: { ...f.limits, [kind]: k } }))}
          />
        ))}
        <ErrorNotice error={action.error} />
        <div class="inline">
          <button type="submit" disabled={action.busy}>
            Save settings
          </button>
          <button
            type="button"
            class="secondary"
            disabled={action.busy}
            onClick={() => send({ limits: null }, 'Limits reset to the defaults.')}
          >
            Reset limits to the defaults
          </button>
        </div>
      </form>
    </section>
  );
}

function LimitsFields(props: {
  kind: LimitKind;
  title: string;
  value: KindForm;
  action: Action;
  onChange: (k: KindForm) => void;
}): JSX.Element {
  const at = `limits.${props.kind}`;
  const v = props.value;
  const setCaller = (field: keyof WindowForm) => (x: string) =>
    props.onChange({ ...v, perCaller: { ...v.perCaller, [field]: x } });
  const setDestination = (i: number, field: keyof WindowForm) => (x: string) =>
    props.onChange({
      ...v,
      perDestination: v.perDestination.map((w, j) => (j === i ? { ...w, [field]: x } : w)),
    });
  // Row i was sent at this index of the list (empty rows are not sent).
  const sentAt = (i: number): number => v.perDestination.slice(0, i).filter(typedWindow).length;
  // A rule about the list itself (repeated window) rather than one of its fields.
  const listError = props.action.fieldError(`${at}.perDestination`);
  return (
    <Fieldset
      legend={`${props.title} limits`}
      error={listError ?? props.action.fieldError(at) ?? props.action.fieldError('limits')}
    >
      <div class="filters">
        <TextField
          label={`${props.title} per caller: points`}
          name={`${props.kind}-caller-points`}
          value={v.perCaller.points}
          onInput={setCaller('points')}
          error={props.action.fieldError(`${at}.perCaller.points`)}
        />
        <TextField
          label={`${props.title} per caller: window (seconds)`}
          name={`${props.kind}-caller-window`}
          value={v.perCaller.windowSeconds}
          onInput={setCaller('windowSeconds')}
          error={props.action.fieldError(`${at}.perCaller.windowSeconds`)}
        />
      </div>
      {v.perDestination.map((w, i) => (
        <div class="filters" key={i}>
          <TextField
            label={`${props.title} per destination ${i + 1}: points`}
            name={`${props.kind}-destination-${i}-points`}
            value={w.points}
            onInput={setDestination(i, 'points')}
            error={props.action.fieldError(`${at}.perDestination.${sentAt(i)}.points`)}
          />
          <TextField
            label={`${props.title} per destination ${i + 1}: window (seconds)`}
            name={`${props.kind}-destination-${i}-window`}
            value={w.windowSeconds}
            onInput={setDestination(i, 'windowSeconds')}
            error={props.action.fieldError(`${at}.perDestination.${sentAt(i)}.windowSeconds`)}
          />
        </div>
      ))}
      <p class="hint">
        Points from 1 to 100000, windows from 1 to 604800 seconds; an empty row is no window.
      </p>
    </Fieldset>
  );
}
