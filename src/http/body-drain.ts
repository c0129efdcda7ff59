// An answer sent before the request's body has all arrived (413 over the limit, 415 for another
// content type: the body is refused unread) waits until the rest of the body has been read and
// thrown away, up to a bound. Closing a socket with unread data makes the kernel answer the
// client's next bytes with a reset, and a client still sending its body (most do not read before
// they have sent it all) then loses the answer: it sees a reset instead of the 413. Past the bound
// the answer is sent at once and the connection closed: nobody can make the server read forever.
import type { IncomingMessage } from 'node:http';

/** The most of an unwanted body read and thrown away before the answer is sent (8 MiB). */
export const DISCARD_BOUND = 8 * 1024 * 1024;

/**
 * Calls `done` once the request's body has ended (at once if it has), or with `overBound: true`
 * once more than `bound` bytes of it have been thrown away (the caller closes the connection), or
 * when the request is aborted.
 */
export function discardRestOfBody(
  raw: IncomingMessage,
  bound: number,
  done: (overBound: boolean) => void,
): void {
  if (raw.complete || raw.readableEnded || raw.destroyed) {
    done(false);
    return;
  }
  let read = 0;
  let finished = false;
  const finish = (overBound: boolean): void => {
    if (finished) return;
    finished = true;
    raw.off('end', onEnd);
    raw.off('error', onEnd);
    raw.off('close', onEnd);
    done(overBound);
  };
  const onEnd = (): void => finish(false);
  // Kept attached past the bound: the stream stays flowing until the socket is closed.
  raw.on('data', (chunk: Buffer) => {
    read += chunk.length;
    if (read > bound) finish(true);
  });
  raw.once('end', onEnd);
  raw.once('error', onEnd);
  raw.once('close', onEnd);
  raw.resume();
}
