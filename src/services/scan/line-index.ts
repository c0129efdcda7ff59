// Offsets in a text to 0-based line numbers, built on first use (most texts have no match at all).

export class LineIndex {
  readonly #text: string;
  #starts: number[] | undefined;

  constructor(text: string) {
    this.#text = text;
  }

  /** Offset where 0-based `line` starts (the text's length past the last line). */
  startOf(line: number): number {
    const starts = (this.#starts ??= lineStarts(this.#text));
    if (line <= 0) return 0;
    return starts[line] ?? this.#text.length;
  }

  /** The 0-based line of `offset`. */
  lineOf(offset: number): number {
    const starts = (this.#starts ??= lineStarts(this.#text));
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
}

function lineStarts(text: string): number[] {
  const starts = [0];
  let at = text.indexOf('\n');
  while (at !== -1) {
    starts.push(at + 1);
    at = text.indexOf('\n', at + 1);
  }
  return starts;
}
