// Form controls with their label, hint and error tied to the input (aria-describedby,
// aria-invalid), so a screen reader reads the API's refusal with the field it is about.
import type { ComponentChildren, JSX } from 'preact';
import { useId } from 'preact/hooks';
import type { SecretView } from '../types';

interface BaseProps {
  label: string;
  name: string;
  error?: string | undefined;
  hint?: string | undefined;
}

function describedBy(ids: (string | false | undefined)[]): string | undefined {
  const list = ids.filter((x): x is string => typeof x === 'string');
  return list.length === 0 ? undefined : list.join(' ');
}

function Messages(props: {
  hintId: string;
  errorId: string;
  hint?: string | undefined;
  error?: string | undefined;
}): JSX.Element {
  return (
    <>
      {props.hint !== undefined && (
        <p id={props.hintId} class="hint">
          {props.hint}
        </p>
      )}
      {props.error !== undefined && (
        <p id={props.errorId} class="field-error">
          {props.error}
        </p>
      )}
    </>
  );
}

export interface TextFieldProps extends Omit<BaseProps, 'label'> {
  /** Text, or text with a stored value in it (in a <bdi>). */
  label: ComponentChildren;
  value: string;
  onInput: (value: string) => void;
  type?: 'text' | 'email' | 'url' | 'tel' | 'datetime-local' | 'search';
  required?: boolean;
  placeholder?: string;
  autoComplete?: string;
}

export function TextField(props: TextFieldProps): JSX.Element {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  return (
    <div class="field">
      <label for={id}>
        {props.label}
        {props.required === true && <span class="required"> (required)</span>}
      </label>
      <input
        id={id}
        name={props.name}
        // Preact types each input type's attributes apart (tsc needs the assertion; the linter's
        // program resolves the union differently): these types all take the same attributes.
        // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
        type={(props.type ?? 'text') as 'text'}
        value={props.value}
        required={props.required}
        placeholder={props.placeholder}
        autocomplete={props.autoComplete ?? 'off'}
        spellcheck={false}
        aria-invalid={props.error !== undefined ? 'true' : undefined}
        aria-describedby={describedBy([
          props.hint !== undefined && hintId,
          props.error !== undefined && errorId,
        ])}
        onInput={(e) => props.onInput(e.currentTarget.value)}
      />
      <Messages hintId={hintId} errorId={errorId} hint={props.hint} error={props.error} />
    </div>
  );
}

export interface SelectFieldProps<T extends string> extends BaseProps {
  value: T;
  options: readonly { value: T; label: string }[];
  onChange: (value: T) => void;
}

export function SelectField<T extends string>(props: SelectFieldProps<T>): JSX.Element {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      <select
        id={id}
        name={props.name}
        value={props.value}
        aria-invalid={props.error !== undefined ? 'true' : undefined}
        aria-describedby={describedBy([
          props.hint !== undefined && hintId,
          props.error !== undefined && errorId,
        ])}
        onChange={(e) => props.onChange(e.currentTarget.value as T)}
      >
        {props.options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      <Messages hintId={hintId} errorId={errorId} hint={props.hint} error={props.error} />
    </div>
  );
}

export function Checkbox(props: {
  label: string;
  name: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
}): JSX.Element {
  const id = useId();
  return (
    <div class="check">
      <input
        id={id}
        type="checkbox"
        name={props.name}
        checked={props.checked}
        onChange={(e) => props.onChange(e.currentTarget.checked)}
      />
      <label for={id}>{props.label}</label>
    </div>
  );
}

/** How a stored secret is shown: never the value, only that it is set and its last four. */
export function secretShown(view: SecretView): string {
  return view.last4 === undefined ? 'set' : `set · …${view.last4}`;
}

export interface SecretFieldProps extends BaseProps {
  /** What the API says is stored (undefined: nothing). */
  stored: SecretView | undefined;
  /** The value typed (kept by the form only until it is sent). */
  value: string;
  /** Whether the input is open: always when nothing is stored, else after "Replace". */
  replacing: boolean;
  onInput: (value: string) => void;
  onReplace: (replacing: boolean) => void;
}

/**
 * A write-only field. When a value is stored it shows "set · …1234" and a Replace button; the
 * input (type password, no autocomplete) exists only while replacing, so a saved form's reset
 * removes the typed value from the DOM with the input.
 */
export function SecretField(props: SecretFieldProps): JSX.Element {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const statusId = `${id}-status`;
  const stored = props.replacing ? undefined : props.stored;
  return (
    <div class="field secret">
      {stored === undefined ? (
        <>
          <label for={id}>{props.label}</label>
          <div class="inline">
            <input
              id={id}
              name={props.name}
              type="password"
              value={props.value}
              autocomplete="new-password"
              spellcheck={false}
              aria-invalid={props.error !== undefined ? 'true' : undefined}
              aria-describedby={describedBy([
                props.stored !== undefined && statusId,
                props.hint !== undefined && hintId,
                props.error !== undefined && errorId,
              ])}
              onInput={(e) => props.onInput(e.currentTarget.value)}
            />
            {props.stored !== undefined && (
              <button
                type="button"
                class="secondary"
                onClick={() => {
                  props.onInput('');
                  props.onReplace(false);
                }}
              >
                Keep stored value
              </button>
            )}
          </div>
          {props.stored !== undefined && (
            <p id={statusId} class="hint">
              Stored: {secretShown(props.stored)}. Leave the field to keep it.
            </p>
          )}
        </>
      ) : (
        <>
          <span class="label" id={statusId}>
            {props.label}
          </span>
          <div class="inline">
            <span class="secret-set" aria-describedby={statusId}>
              {secretShown(stored)}
            </span>
            <button
              type="button"
              class="secondary"
              aria-label={`Replace ${props.label}`}
              onClick={() => props.onReplace(true)}
            >
              Replace
            </button>
          </div>
        </>
      )}
      <Messages hintId={hintId} errorId={errorId} hint={props.hint} error={props.error} />
    </div>
  );
}

/** A group of controls; an error about the group as a whole is shown in it and described by it. */
export function Fieldset(props: {
  legend: string;
  children: ComponentChildren;
  error?: string | undefined;
  class?: string;
}): JSX.Element {
  const id = useId();
  const errorId = `${id}-error`;
  return (
    <fieldset
      class={props.class}
      aria-describedby={props.error !== undefined ? errorId : undefined}
    >
      <legend>{props.legend}</legend>
      {props.children}
      {props.error !== undefined && (
        <p id={errorId} class="field-error">
          {props.error}
        </p>
      )}
    </fieldset>
  );
}
