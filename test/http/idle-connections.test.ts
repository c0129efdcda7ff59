// Idle and half-sent connections cannot exhaust the server: a socket that sends nothing is closed
// (408) once the headers timeout passes, the number of connections stays under the cap while
// /healthz keeps answering, and a connection with a request in progress is never the one closed to
// make room. Raw sockets to 127.0.0.1, bounded loops; the socket handling does not depend on the
// database, so these run on SQLite only.
import { request as httpRequest } from 'node:http';
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  defaultMaxConnections,
  readDescriptorLimit,
  resolveMaxConnections,
} from '../../src/app/connection-limits.js';
import { DEFAULT_CONNECTIONS, loadConfig } from '../../src/config.js';
import { startTestServer, type TestServer } from '../support/server.js';

interface RawClient {
  socket: Socket;
  received: string;
  closed: boolean;
}

/** Opens `count` raw connections in batches and resolves once each has connected. */
async function openRaw(port: number, count: number): Promise<RawClient[]> {
  const clients: RawClient[] = [];
  for (let start = 0; start < count; start += 200) {
    const batch = Array.from({ length: Math.min(200, count - start) }, () => {
      const c: RawClient = {
        socket: connect({ host: '127.0.0.1', port }),
        received: '',
        closed: false,
      };
      // Reading keeps the socket flowing, so the server's close reaches 'close' here.
      c.socket.on('data', (d: Buffer) => (c.received += d.toString('latin1')));
      c.socket.on('error', () => undefined);
      c.socket.on('close', () => (c.closed = true));
      clients.push(c);
      return new Promise<void>((resolve) => {
        c.socket.once('connect', () => resolve());
        c.socket.once('close', () => resolve());
      });
    });
    await Promise.all(batch);
  }
  return clients;
}

/** GET /healthz on a new connection of its own; any failure or a wait over 5 s is a status 0. */
function health(port: number): Promise<number> {
  return new Promise((resolve) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, path: '/healthz', agent: false, timeout: 5_000 },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
    req.end();
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls /healthz until `done()` or the bound passes; returns every status seen. */
async function healthWhile(port: number, done: () => boolean, boundMs: number): Promise<number[]> {
  const statuses: number[] = [];
  for (let waited = 0; waited < boundMs && !done(); waited += 100) {
    statuses.push(await health(port));
    await sleep(100);
  }
  return statuses;
}

const portOf = (s: TestServer) => Number(new URL(s.url).port);

describe('idle connections', () => {
  let s: TestServer | undefined;
  let clients: RawClient[] = [];
  afterEach(async () => {
    for (const c of clients) c.socket.destroy();
    clients = [];
    await s?.close();
    s = undefined;
  });

  it('closes 2,000 sockets that send nothing once the headers timeout passes, /healthz answering throughout', async () => {
    const limit = readDescriptorLimit();
    // Both ends of every socket are in this process; stay clear of a small open-file limit.
    const count = limit === undefined ? 2_000 : Math.min(2_000, Math.floor((limit - 600) / 2));
    if (count < 2_000) console.warn(`open-file limit ${limit}: ${count} idle sockets, not 2,000`);
    s = await startTestServer('sqlite', {
      logLevel: 'warn',
      config: {
        // The cap is well above the flood here: what closes these sockets is the timeout.
        connections: { ...DEFAULT_CONNECTIONS, max: count + 300, headersTimeoutMs: 1_000 },
      },
    });
    const port = portOf(s);
    clients = await openRaw(port, count);
    expect(clients).toHaveLength(count);

    const allClosed = () => clients.every((c) => c.closed);
    // Bound: the 1 s timeout, its 1 s check, and room for a loaded machine; the old defaults
    // (Node's 60 s headers timeout checked every 30 s) are far outside it.
    const statuses = await healthWhile(port, allClosed, 15_000);
    expect(clients.filter((c) => !c.closed)).toHaveLength(0);
    // Closed by the headers timeout (408 Request Timeout), not dropped for want of room.
    expect(clients.filter((c) => c.received.startsWith('HTTP/1.1 408'))).toHaveLength(count);
    expect(statuses.length).toBeGreaterThan(0);
    expect(statuses.filter((st) => st !== 200)).toEqual([]);
    expect(await health(port)).toBe(200);
  });

  it('stays under the cap by closing the longest-idle connections, never one with a request in progress', async () => {
    const max = 100;
    s = await startTestServer('sqlite', {
      logLevel: 'error',
      config: {
        connections: {
          max,
          headersTimeoutMs: 60_000,
          requestTimeoutMs: 60_000,
          keepAliveTimeoutMs: 60_000,
        },
      },
    });
    const port = portOf(s);
    // A request whose body is still coming: it has started, so it is busy, not idle.
    const body = '{"name":"kept-busy"}';
    const [busy] = await openRaw(port, 1);
    if (busy === undefined) throw new Error('no busy client');
    busy.socket.write(
      `POST /v1/tenants HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 1)}`,
    );
    await sleep(200);
    clients = [busy, ...(await openRaw(port, 3 * max))];

    const open = () => clients.filter((c) => !c.closed).length;
    const statuses = await healthWhile(port, () => open() <= max, 10_000);
    for (let i = 0; i < 10; i++) statuses.push(await health(port));
    expect(open()).toBeLessThanOrEqual(max);
    expect(statuses.filter((st) => st !== 200)).toEqual([]);

    // The busy connection survived the flood: finishing its body gets it an answer.
    expect(busy.closed).toBe(false);
    busy.socket.write(body.slice(1));
    for (let i = 0; i < 100 && busy.received === ''; i++) await sleep(50);
    expect(busy.received).toMatch(/^HTTP\/1\.1 401 /);
    expect(busy.received).toContain('ERR_AUTH_MISSING');
  });
});

describe('connection limits configuration', () => {
  it('derives the default cap below the open-file limit, leaving room for everything else', () => {
    expect(defaultMaxConnections(1_024)).toBe(819);
    expect(defaultMaxConnections(200)).toBe(136);
    expect(defaultMaxConnections(1_048_576)).toBe(838_860);
    expect(defaultMaxConnections(undefined)).toBe(1_000);
    expect(resolveMaxConnections(undefined, 20_000)).toBe(16_000);
  });

  it('refuses a cap that is not below the open-file limit, naming the variable and the limit', () => {
    expect(() => resolveMaxConnections(20_000, 20_000)).toThrow(
      expect.objectContaining({
        code: 'ERR_CONFIG_INVALID',
        message: expect.stringMatching(
          /^TELVAULT_MAX_CONNECTIONS: 20000 is not below .*\(20000\)/,
        ) as unknown,
      }),
    );
    expect(resolveMaxConnections(19_999, 20_000)).toBe(19_999);
    expect(resolveMaxConnections(5_000, undefined)).toBe(5_000);
  });

  it('reads the timeouts and the cap from the environment, and refuses bad values by name', () => {
    const c = loadConfig({
      TELVAULT_MAX_CONNECTIONS: '500',
      TELVAULT_HEADERS_TIMEOUT_MS: '2000',
      TELVAULT_REQUEST_TIMEOUT_MS: '10000',
      TELVAULT_KEEP_ALIVE_TIMEOUT_MS: '65000',
    });
    expect(c.connections).toEqual({
      max: 500,
      headersTimeoutMs: 2_000,
      requestTimeoutMs: 10_000,
      keepAliveTimeoutMs: 65_000,
    });
    expect(loadConfig({}).connections).toEqual(DEFAULT_CONNECTIONS);
    expect(() => loadConfig({ TELVAULT_MAX_CONNECTIONS: '0' })).toThrow(
      /^TELVAULT_MAX_CONNECTIONS: /,
    );
    expect(() => loadConfig({ TELVAULT_HEADERS_TIMEOUT_MS: '10' })).toThrow(
      /^TELVAULT_HEADERS_TIMEOUT_MS: /,
    );
    expect(() =>
      loadConfig({ TELVAULT_HEADERS_TIMEOUT_MS: '20000', TELVAULT_REQUEST_TIMEOUT_MS: '10000' }),
    ).toThrow('TELVAULT_HEADERS_TIMEOUT_MS: must not exceed TELVAULT_REQUEST_TIMEOUT_MS');
  });
});
