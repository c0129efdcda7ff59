// The admin console (src/web, built by Vite into dist/web) served at /console by the same process.
// The files are read once at start-up into a map keyed by their exact URL, so a request can only
// ever name one of them: no path from a request reaches the filesystem, and traversal has nothing
// to walk. Hashed assets are cached for a year (their name changes with their content); the page
// itself is revalidated on every load, so a new build is picked up at once.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export const CONSOLE_PREFIX = '/console';

/**
 * The console's Content-Security-Policy: only its own scripts and styles (no inline ones), no
 * other origin to talk to, and no framing.
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};

interface Asset {
  body: Buffer;
  type: string;
}

export interface ConsoleFiles {
  /** Where the build was looked for (for the log line). */
  dir: string;
  /** undefined: no build there. */
  index: { body: Buffer; etag: string } | undefined;
  /** `/console/assets/<name>` → file. */
  assets: ReadonlyMap<string, Asset>;
}

/** Reads a console build (index.html and assets/, one level) from `dir`; nothing there is fine. */
export function loadConsoleFiles(dir: string): ConsoleFiles {
  const indexPath = join(dir, 'index.html');
  if (!existsSync(indexPath)) return { dir, index: undefined, assets: new Map() };
  const body = readFileSync(indexPath);
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
  const assets = new Map<string, Asset>();
  const assetDir = join(dir, 'assets');
  if (existsSync(assetDir)) {
    for (const name of readdirSync(assetDir)) {
      const type = TYPES[extname(name)];
      const path = join(assetDir, name);
      if (type === undefined || !statSync(path).isFile()) continue;
      assets.set(`${CONSOLE_PREFIX}/assets/${name}`, { body: readFileSync(path), type });
    }
  }
  return { dir, index: { body, etag }, assets };
}

/** Whether a request URL is the console's (its pages, assets and refusals). */
export function isConsolePath(url: string): boolean {
  const path = url.split('?')[0] ?? '';
  return path === CONSOLE_PREFIX || path.startsWith(`${CONSOLE_PREFIX}/`);
}

/** The headers of every console answer, errors included (app.ts sets them on send). */
export function setConsoleHeaders(reply: FastifyReply): void {
  void reply.header('content-security-policy', CONSOLE_CSP);
  void reply.header('referrer-policy', 'no-referrer');
  void reply.header('x-content-type-options', 'nosniff');
}

function notFound(reply: FastifyReply): FastifyReply {
  return reply
    .code(404)
    .header('content-type', 'text/plain; charset=utf-8')
    .send('Not found: the console has no such file.\n');
}

export function registerConsoleRoutes(app: FastifyInstance, files: ConsoleFiles): void {
  const page = (request: FastifyRequest, reply: FastifyReply): FastifyReply => {
    if (files.index === undefined) {
      return reply
        .code(503)
        .header('content-type', 'text/plain; charset=utf-8')
        .send(
          'The admin console is not built: run `npm run build` (tsc, then vite build into dist/web) and restart.\n',
        );
    }
    void reply.header('cache-control', 'no-cache').header('etag', files.index.etag);
    if (request.headers['if-none-match'] === files.index.etag) return reply.code(304).send();
    return reply
      .code(200)
      .header('content-type', 'text/html; charset=utf-8')
      .send(files.index.body);
  };
  app.get(CONSOLE_PREFIX, page);
  app.get(`${CONSOLE_PREFIX}/`, page);
  app.get(`${CONSOLE_PREFIX}/assets/:file`, (request, reply) => {
    const asset = files.assets.get(request.url.split('?')[0] ?? '');
    if (asset === undefined) return notFound(reply);
    return reply
      .code(200)
      .header('content-type', asset.type)
      .header('cache-control', 'public, max-age=31536000, immutable')
      .send(asset.body);
  });
}
