// A real HTTP server on 127.0.0.1 that records the callbacks the sandbox sends (status callbacks,
// webhooks), for tests: method, URL, headers and the raw body, answered with `status`.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedCallback {
  method: string;
  /** Path and query as requested. */
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface CallbackReceiver {
  /** Base URL, e.g. `http://127.0.0.1:53211`. */
  readonly url: string;
  readonly received: ReceivedCallback[];
  /** The status answered to every request (default 204). */
  status: number;
  close(): Promise<void>;
}

export async function startCallbackReceiver(): Promise<CallbackReceiver> {
  const received: ReceivedCallback[] = [];
  const receiver = { status: 204 };
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      res.writeHead(receiver.status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(receiver, {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}

/** A URL nothing listens on (a port the OS gave, then closed). */
export async function unreachableUrl(): Promise<string> {
  const probe = await startCallbackReceiver();
  await probe.close();
  return `${probe.url}/gone`;
}
