// Which registered routes a path fits, whatever the method. The router only answers "no route for
// this method and path"; this table tells a wrong method (405, with the methods that exist) from a
// path that exists nowhere (404), and hands back the path's params so their rules can be applied.
import { TelvaultError } from '../errors.js';

/** Longest path segment the router accepts (Fastify's maxParamLength). */
export const MAX_PATH_SEGMENT = 256;

/** The order `Allow` lists methods in. */
const METHOD_ORDER = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

export interface PathFit {
  method: string;
  /** The route's pattern (`/v1/tenants/:tenantId`). */
  url: string;
  /** Its params as the router would decode them. */
  params: Record<string, string>;
  /** The first param that is not percent-encoded UTF-8 (a lone surrogate, a stray byte), if any. */
  undecodable: string | undefined;
}

function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/** `path`'s segments under the pattern `url`, or undefined when it does not fit. */
function fit(
  url: string,
  segments: readonly string[],
): Omit<PathFit, 'method' | 'url'> | undefined {
  const pattern = url.split('/');
  if (pattern.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  let undecodable: string | undefined;
  for (const [i, part] of pattern.entries()) {
    const segment = segments[i] ?? '';
    if (part.startsWith(':')) {
      if (segment === '') return undefined;
      const name = part.slice(1);
      const value = decodeSegment(segment);
      if (value === undefined) undecodable ??= name;
      else params[name] = value;
    } else if (part !== segment && part !== decodeSegment(segment)) return undefined;
  }
  return { params, undecodable };
}

/** The error for a path the router could not decode, naming the param when one route shows it. */
export function undecodablePath(fits: readonly PathFit[]): TelvaultError {
  const param = fits.find((f) => f.undecodable !== undefined)?.undecodable ?? 'path';
  return new TelvaultError('ERR_VALIDATION', `${param}: must be percent-encoded UTF-8`);
}

export interface RouteTable {
  add(method: string, url: string): void;
  /** Every route `path` (no query string) fits, whatever its method. */
  fits(path: string): PathFit[];
}

/** Patterns with params (`:name`) and static parts only: the routes telvault registers. */
export function createRouteTable(): RouteTable {
  const routes: { method: string; url: string }[] = [];
  return {
    add(method, url) {
      routes.push({ method: method.toUpperCase(), url });
    },
    fits(path) {
      const segments = path.split('/');
      const out: PathFit[] = [];
      for (const r of routes) {
        const found = fit(r.url, segments);
        if (found !== undefined) out.push({ ...r, ...found });
      }
      return out;
    },
  };
}

/** The `Allow` header for these methods. */
export function allowHeader(methods: Iterable<string>): string {
  const rank = (m: string) => {
    const i = METHOD_ORDER.indexOf(m);
    return i === -1 ? METHOD_ORDER.length : i;
  };
  return [...new Set(methods)].sort((a, b) => rank(a) - rank(b)).join(', ');
}

/** A request path as an error message may echo it: printable ASCII, at most 200 characters. */
export function shownPath(path: string): string {
  const cut = path.slice(0, 200).replace(/[^\x21-\x7e]/g, (c) => {
    return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
  return path.length > 200 ? `${cut}...` : cut;
}
