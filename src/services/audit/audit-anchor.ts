// The external anchor: every stream's head as one MAC'd line (`telvault audit head`), to keep
// outside the database. A database rolled back to an older copy is internally consistent; checked
// against a line taken later, its heads are behind (`telvault audit verify --head FILE`).
//
//   line = "tvah2." ‖ base64url(JSON {"at": ISO time, "heads": [[stream, seq, hash], …]})
//          ‖ "." ‖ base64url(HMAC-SHA256(anchor subkey, everything before the last "."))
//
// Kept by operators: do not change (add a new marker instead).
import { z } from 'zod';
import { macTextEquals, type AuditMacs } from '../../crypto/index.js';
import { TelvaultError } from '../../errors.js';

const MARKER = 'tvah2.';

export interface AnchorHead {
  stream: string;
  seq: number;
  hash: string;
}

export interface Anchor {
  at: string;
  heads: AnchorHead[];
}

const payloadSchema = z.strictObject({
  at: z.string(),
  heads: z.array(
    z.tuple([z.string().min(1), z.number().int().min(0), z.string().regex(/^[0-9a-f]{64}$/)]),
  ),
});

export function encodeAnchor(macs: AuditMacs, anchor: Anchor): string {
  const payload = { at: anchor.at, heads: anchor.heads.map((h) => [h.stream, h.seq, h.hash]) };
  const body = `${MARKER}${Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url')}`;
  return `${body}.${macs.anchor(body)}`;
}

const notALine = () =>
  new TelvaultError(
    'ERR_AUDIT_HEAD_INVALID',
    'head file: not a line printed by `telvault audit head`',
  );

/** Checks the line's MAC, then parses it; a line of another deployment or edited is refused. */
export function parseAnchor(macs: AuditMacs, text: string): Anchor {
  const line = text.trim();
  const dot = line.lastIndexOf('.');
  if (!line.startsWith(MARKER) || dot <= MARKER.length) throw notALine();
  const body = line.slice(0, dot);
  if (!macTextEquals(macs.anchor(body), line.slice(dot + 1))) {
    throw new TelvaultError(
      'ERR_AUDIT_HEAD_INVALID',
      "head file: its MAC does not match (edited, or not made with this deployment's audit key)",
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(body.slice(MARKER.length), 'base64url').toString('utf8'));
  } catch {
    throw notALine();
  }
  const parsed = payloadSchema.safeParse(json);
  if (!parsed.success) throw notALine();
  return {
    at: parsed.data.at,
    heads: parsed.data.heads.map(([stream, seq, hash]) => ({ stream, seq, hash })),
  };
}
