// Paging through a cursor-paged list: the cursors of the pages seen so far, so "previous" goes back
// without the API needing a backward cursor.
import type { JSX } from 'preact';

export interface PagerProps {
  cursors: readonly string[];
  setCursors: (update: (c: string[]) => string[]) => void;
  /** The API's cursor of the next page (null or undefined: this is the last one). */
  nextCursor: string | null | undefined;
  previousLabel?: string;
  nextLabel?: string;
}

export function Pager(props: PagerProps): JSX.Element {
  const next = props.nextCursor;
  return (
    <div class="inline">
      {props.cursors.length > 0 && (
        <button
          type="button"
          class="secondary"
          onClick={() => props.setCursors((c) => c.slice(0, -1))}
        >
          {props.previousLabel ?? 'Previous page'}
        </button>
      )}
      {next != null && (
        <button
          type="button"
          class="secondary"
          onClick={() => props.setCursors((c) => [...c, next])}
        >
          {props.nextLabel ?? 'Next page'}
        </button>
      )}
    </div>
  );
}
