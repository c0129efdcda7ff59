// The cap on concurrent connections. Node's own `server.maxConnections` drops every new connection
// once the cap is reached, so a flood of idle sockets would lock out health checks and real clients
// until the flood times out. Here a new connection over the cap closes the connection that has been
// idle longest instead (one that has not sent a request yet, or sits between two requests); a
// connection with a request in progress is never closed, and when every one is busy the new
// connection is the one refused. Idle connections are also closed by the headers and keep-alive
// timeouts (app.ts); the cap bounds how many exist meanwhile, below the open-file limit.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from '../services/common/index.js';

export interface ConnectionGuard {
  /** Connections open now. */
  open(): number;
  /** Connections closed to make room since the server started. */
  evicted(): number;
}

/** Log at most this often while the cap is being hit (a flood would otherwise flood the log). */
const WARN_EVERY_MS = 10_000;

export function guardConnections(server: Server, max: number, logger: Logger): ConnectionGuard {
  const open = new Set<Socket>();
  // Insertion order is the order in which connections became idle: the first is the oldest.
  const idle = new Set<Socket>();
  const busy = new WeakMap<Socket, number>();
  let evicted = 0;
  let lastWarn = 0;

  const markIdle = (socket: Socket): void => {
    idle.delete(socket);
    if (!socket.destroyed && open.has(socket)) idle.add(socket);
  };

  const makeRoom = (): void => {
    const oldest = idle.values().next();
    if (oldest.done === true) return;
    const socket = oldest.value;
    idle.delete(socket);
    open.delete(socket);
    socket.destroy();
    evicted++;
    const now = Date.now();
    if (now - lastWarn >= WARN_EVERY_MS) {
      lastWarn = now;
      logger.warn({ max, evicted }, 'connection cap reached: closing the longest-idle connections');
    }
  };

  server.on('connection', (socket: Socket) => {
    open.add(socket);
    idle.add(socket);
    socket.once('close', () => {
      open.delete(socket);
      idle.delete(socket);
    });
    // When every other connection is busy, the oldest idle one is this new one.
    if (open.size > max) makeRoom();
  });

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const socket = req.socket;
    busy.set(socket, (busy.get(socket) ?? 0) + 1);
    idle.delete(socket);
    res.once('close', () => {
      const left = (busy.get(socket) ?? 1) - 1;
      busy.set(socket, left);
      if (left === 0) markIdle(socket);
    });
  });

  return { open: () => open.size, evicted: () => evicted };
}
