// A body over the limit is answered 413 ERR_HTTP_BODY_TOO_LARGE, and the client reads that answer:
// the server reads and discards the rest of the body (up to a bound) before it closes the
// connection, so a client still sending never meets a reset. Real clients over real sockets
// (node:http and fetch) against the listening server, one new connection per request. The socket
// handling does not depend on the database, so this runs on SQLite only.
import { once } from 'node:events';
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DISCARD_BOUND } from '../../src/http/body-drain.js';
import { SCOPES } from '../../src/services/tokens/scopes.js';
import { startTestServer, type TestServer } from '../support/server.js';

const THREE_MB = 3 * 1024 * 1024;
const POSTS = 20;
const CHUNK = 64 * 1024;

interface Answer {
  status: number;
  body: string;
}

/**
 * One PUT on a connection of its own, its body written in 64 KiB chunks as a client uploading a
 * file does. `readFirst: false` is a client that reads nothing until it has sent the whole body
 * (as blocking clients do): its socket is paused until then. A reset or any other socket error
 * before the answer has been read is thrown, and the test fails.
 */
function put(
  url: string,
  path: string,
  token: string,
  body: Buffer,
  readFirst: boolean,
): Promise<Answer> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: hostname,
        port,
        path,
        method: 'PUT',
        agent: false,
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          'content-length': String(body.length),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (!readFirst) {
      req.on('socket', (socket) => {
        socket.pause();
        req.once('finish', () => socket.resume());
      });
    }
    void (async () => {
      req.flushHeaders();
      for (let at = 0; at < body.length && !req.destroyed; at += CHUNK) {
        if (!req.write(body.subarray(at, at + CHUNK))) await once(req, 'drain').catch(() => []);
        // Give the server a turn between chunks, as a client reading a file does.
        await new Promise((r) => setImmediate(r));
      }
      if (!req.destroyed) req.end();
    })();
  });
}

/** A JSON body of `size` bytes: a secret whose value is far over every limit. */
function bigBody(size: number): Buffer {
  const head = '{"value":"';
  const tail = '"}';
  return Buffer.from(head + 'x'.repeat(size - head.length - tail.length) + tail);
}

describe('a body over the limit', () => {
  let s: TestServer;
  let token = '';
  let path = '';

  beforeAll(async () => {
    s = await startTestServer('sqlite', { logLevel: 'silent' });
    const tenantId = await s.createTenant('big-bodies');
    token = await s.mintToken(tenantId, SCOPES);
    path = `/v1/tenants/${tenantId}/secrets/big`;
  });
  afterAll(async () => {
    await s?.close();
  });

  it.each([
    ['reads while it sends', true],
    ['sends it all before it reads', false],
  ])(
    `answers ${POSTS} sequential 3 MB posts from a node:http client that %s with a readable 413`,
    async (_name, readFirst) => {
      const body = bigBody(THREE_MB);
      for (let i = 0; i < POSTS; i++) {
        const r = await put(s.url, path, token, body, readFirst);
        expect(r.status, `post ${i}: ${r.body}`).toBe(413);
        expect(JSON.parse(r.body)).toMatchObject({
          error: { code: 'ERR_HTTP_BODY_TOO_LARGE', message: 'body: too large' },
        });
      }
      // Nothing was stored, and the server still answers.
      const read = await s.request('GET', path, { token });
      expect(read.status).toBe(404);
    },
  );

  it('stops reading a body that never ends once past the bound, and closes the connection', async () => {
    const { hostname, port } = new URL(s.url);
    // Chunked: no length to refuse it by, so it is read up to the limit, then thrown away.
    const req = httpRequest({
      host: hostname,
      port,
      path,
      method: 'PUT',
      agent: false,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    });
    let outcome: string | undefined;
    const ended = new Promise<void>((resolve) => {
      req.on('response', (res) => {
        res.resume();
        outcome = `status ${res.statusCode ?? 0}`;
        resolve();
      });
      req.on('error', (err: NodeJS.ErrnoException) => {
        outcome ??= `error ${err.code ?? ''}`;
        resolve();
      });
    });
    const chunk = Buffer.alloc(CHUNK, 'x');
    const cap = 8 * DISCARD_BOUND;
    let written = 0;
    while (outcome === undefined && written < cap) {
      if (!req.write(chunk)) await Promise.race([once(req, 'drain'), ended]);
      written += CHUNK;
    }
    req.destroy();
    expect(written, outcome).toBeLessThan(cap);
    expect(written).toBeGreaterThan(DISCARD_BOUND);
    expect(outcome).toMatch(/^(status 413|error E[A-Z]+)$/);
  });

  it(`answers ${POSTS} sequential 3 MB posts (fetch) with a readable 413, never a reset`, async () => {
    const body = bigBody(THREE_MB);
    for (let i = 0; i < POSTS; i++) {
      const r = await fetch(`${s.url}${path}`, {
        method: 'PUT',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          connection: 'close',
        },
        body,
      });
      const text = await r.text();
      expect(r.status, `post ${i}: ${text}`).toBe(413);
      expect((JSON.parse(text) as { error: { code: string } }).error.code).toBe(
        'ERR_HTTP_BODY_TOO_LARGE',
      );
    }
  });
});
