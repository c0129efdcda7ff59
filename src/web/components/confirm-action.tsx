// A destructive row action asked twice: the action's button (styled secondary: nothing is destroyed
// by it), then "Confirm …" (styled danger) and "Cancel" in its place. `confirm` is the caller's work (run through its useAction, so errors show where it shows
// them); the pair closes when it succeeds.
import type { ComponentChildren, JSX } from 'preact';
import { useState } from 'preact/hooks';

export interface ConfirmActionProps {
  /** The first button's visible text, and its accessible name (which starts with that text). */
  label: ComponentChildren;
  ariaLabel: string;
  confirmLabel: string;
  busy: boolean;
  /** Runs the action; calls `done` when it succeeded. */
  confirm: (done: () => void) => void;
}

export function ConfirmAction(props: ConfirmActionProps): JSX.Element {
  const [open, setOpen] = useState(false);
  if (!open) {
    return (
      <button
        type="button"
        class="secondary"
        aria-label={props.ariaLabel}
        onClick={() => setOpen(true)}
      >
        {props.label}
      </button>
    );
  }
  return (
    <>
      <button
        type="button"
        class="danger"
        disabled={props.busy}
        onClick={() => props.confirm(() => setOpen(false))}
      >
        {props.confirmLabel}
      </button>
      <button type="button" class="secondary" onClick={() => setOpen(false)}>
        Cancel
      </button>
    </>
  );
}
