// Strict, canonical, unpadded base64url decoding (RFC 4648 §5) into a caller's buffer. Node's own
// decoder is lenient (skips stray characters, accepts '+' '/' and non-zero trailing bits), which
// would let distinct texts decode to the same bytes; this one accepts exactly one text per value.

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
/**
 * Character code -> 6-bit value, or -1, for every UTF-16 code unit (charCodeAt is below 0x10000),
 * so the loop needs no range check per character. 64 KiB, of which valid text reads two cache
 * lines (codes 45 to 122).
 */
const VALUES = new Int8Array(0x10000).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) VALUES[ALPHABET.charCodeAt(i)] = i;

function value(text: string, index: number): number {
  return VALUES[text.charCodeAt(index)] as number;
}

/** The decoded length of `chars` characters, or -1 when no canonical text has that length. */
export function base64urlDecodedLength(chars: number): number {
  return (chars & 3) === 1 ? -1 : (chars * 3) >> 2;
}

/**
 * Decodes `text[start..]` into `out` (which must hold base64urlDecodedLength bytes); returns the
 * byte count, or -1 when the text is not canonical unpadded base64url.
 */
export function decodeBase64urlInto(text: string, start: number, out: Uint8Array): number {
  const end = text.length;
  const rem = (end - start) & 3;
  if (rem === 1) return -1;
  let o = 0;
  let i = start;
  for (; i + 4 <= end; i += 4) {
    const a = value(text, i);
    const b = value(text, i + 1);
    const c = value(text, i + 2);
    const d = value(text, i + 3);
    if ((a | b | c | d) < 0) return -1;
    const n = (a << 18) | (b << 12) | (c << 6) | d;
    out[o++] = n >> 16;
    out[o++] = (n >> 8) & 0xff;
    out[o++] = n & 0xff;
  }
  if (rem === 2) {
    const a = value(text, i);
    const b = value(text, i + 1);
    if ((a | b) < 0 || (b & 0x0f) !== 0) return -1;
    out[o++] = (a << 2) | (b >> 4);
  } else if (rem === 3) {
    const a = value(text, i);
    const b = value(text, i + 1);
    const c = value(text, i + 2);
    if ((a | b | c) < 0 || (c & 0x03) !== 0) return -1;
    out[o++] = (a << 2) | (b >> 4);
    out[o++] = ((b & 0x0f) << 4) | (c >> 2);
  }
  return o;
}
