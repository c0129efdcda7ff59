// What the API answered, shown as it is: an error's code and message (and its request id, for the
// operator's logs), or a short success note. Errors are announced (role=alert), notes politely.
import type { ComponentChildren, JSX } from 'preact';
import { ApiError } from '../api';

export function ErrorNotice(props: { error: unknown }): JSX.Element | null {
  const e = props.error;
  if (e === undefined || e === null) return null;
  if (e instanceof ApiError) {
    return (
      <div class="notice error" role="alert">
        <strong>{e.code}</strong>: {e.message}
        {e.requestId !== undefined && <span class="muted"> (request {e.requestId})</span>}
      </div>
    );
  }
  return (
    <div class="notice error" role="alert">
      {e instanceof Error ? e.message : 'something went wrong'}
    </div>
  );
}

export function Note(props: { children: ComponentChildren }): JSX.Element {
  return (
    <p class="notice ok" role="status">
      {props.children}
    </p>
  );
}

export function Loading(): JSX.Element {
  return (
    <p class="muted" role="status">
      Loading…
    </p>
  );
}
