// A table in a group of its own that scrolls sideways when the window is narrower than the table
// (a phone screen), so the page itself never does. Focusable, so the keyboard can scroll it too.
import type { ComponentChildren, JSX } from 'preact';

export function TableScroll(props: { label: string; children: ComponentChildren }): JSX.Element {
  return (
    <div class="table-scroll" role="group" aria-label={props.label} tabIndex={0}>
      {props.children}
    </div>
  );
}
